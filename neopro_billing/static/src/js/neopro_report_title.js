odoo.define('neopro_billing.report_title', function (require) {
"use strict";
/**
 * The report dialog's title follows the report chosen in it (Reports → a report, Administration → Run a report
 * now): the widget of the "report" selection writes its label into the title of the dialog it is in.
 */
var FieldSelection = require('web.relational_fields').FieldSelection;
var fieldRegistry = require('web.field_registry');

var ReportTitleSelection = FieldSelection.extend({
    _render: function () {
        this._super.apply(this, arguments);
        var self = this;
        var choice = _.find(this.values, function (value) { return value[0] === self.value; });
        // deferred: on the first rendering the field is not in the dialog yet
        _.defer(function () {
            if (choice && choice[1]) {
                self.$el.closest('.modal').find('.modal-title').text(choice[1]);
            }
        });
    },
});

fieldRegistry.add('neopro_report_title', ReportTitleSelection);

return ReportTitleSelection;
});
