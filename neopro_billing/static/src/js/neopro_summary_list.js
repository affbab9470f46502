odoo.define('neopro_billing.summary_list', function (require) {
"use strict";
/**
 * The summary panel of the main lists (SPEC §1): a list view (js_class="neopro_summary_list") that shows, above the
 * records, the figures of neopro.dashboard.get_summary — subscribers, meters, overdue verifications, charged and
 * paid in the open period, total debt.
 */

var core = require('web.core');
var field_utils = require('web.field_utils');
var ListRenderer = require('web.ListRenderer');
var ListView = require('web.ListView');
var view_registry = require('web.view_registry');

var QWeb = core.qweb;

var SummaryListRenderer = ListRenderer.extend({
    /**
     * Render the list, then put the summary on top of it.
     *
     * @override
     * @private
     */
    _renderView: function () {
        var self = this;
        var summary = this._rpc({model: 'neopro.dashboard', method: 'get_summary', args: []});
        return $.when(this._super.apply(this, arguments), summary).then(function (rendered, values) {
            self.$('.o_neopro_summary').remove();
            self.$el.prepend(QWeb.render('neopro_billing.SummaryPanel', {
                values: values,
                amount: function (value) {
                    return field_utils.format.float(value || 0, {}, {digits: [16, 2]}) + ' ' + values.currency_symbol;
                },
            }));
        });
    },
});

var SummaryListView = ListView.extend({
    config: _.extend({}, ListView.prototype.config, {
        Renderer: SummaryListRenderer,
    }),
});

view_registry.add('neopro_summary_list', SummaryListView);

return {
    SummaryListRenderer: SummaryListRenderer,
    SummaryListView: SummaryListView,
};

});
