odoo.define('neopro_billing.screens', function (require) {
"use strict";
/**
 * Small helpers of the billing screens (manual §4.4–4.7):
 *
 * - the ``neopro_reading`` widget: a reading that has not been given (the record's ``current_date`` is empty)
 *   shows as an empty cell, not as 0,000; typing a value saves it as the plain float widget does;
 * A list action sets them in its context:
 *
 * - quick filter buttons: a list whose action names search filters in ``neopro_quick_filters: [names]`` shows them as
 *   toggle buttons next to its control-panel buttons (the manual's "Фильтры: Ближайшая поверка Просроченная
 *   поверка"); a button toggles the same filter as the search view's Filters menu and looks pressed while on;
 * - a range panel: ``neopro_range_fields: [<from field>, <to field>]`` (search fields of its search view) and
 *   ``neopro_range_widget: 'date'`` or ``'month'`` show two pickers labelled by those fields; a picked value becomes the
 *   search view's facet of the field, as if typed in the search box (manual Рис.16, Рис.18);
 * - ``neopro_upload_action: '<xml id>'``: a "Load a file" button opening that action (the file registry, Рис.16);
 * - times in the user's time zone, not the browser's (below).
 */

var basic_fields = require('web.basic_fields');
var core = require('web.core');
var field_registry = require('web.field_registry');
var ListController = require('web.ListController');
var session = require('web.session');
var time = require('web.time');

var _t = core._t;

/**
 * Times in the user's time zone (``neopro_tz_offset`` of the session, set by the server from the user's preference),
 * as the server's messages write them, whatever the browser's zone.
 */
var browserOffset = session.getTZOffset;
session.getTZOffset = function (date) {
    return this.neopro_tz_offset === undefined ? browserOffset.apply(this, arguments) : this.neopro_tz_offset;
};

var ReadingField = basic_fields.FieldFloat.extend({
    /**
     * @override
     * @private
     */
    _formatValue: function (value) {
        var dateField = this.attrs.options && this.attrs.options.date_field || 'current_date';
        if (!value && !this.recordData[dateField]) {
            return '';
        }
        return this._super.apply(this, arguments);
    },
});

field_registry.add('neopro_reading', ReadingField);

// The archive button of the reference forms (their boolean_button's terminology): the web client translates these
// words when it shows them; naming them here puts them in the add-on's translations ("Active" of the web add-on
// reads "Актив", an asset, in Russian).
_t('In use');

ListController.include({
    /**
     * Add the upload button, range pickers and quick filter buttons the action's context asks for after the
     * list's own buttons.
     *
     * @override
     */
    renderButtons: function ($node) {
        this._super.apply(this, arguments);
        var state = this.handle && this.model.get(this.handle);
        var context = state && state.getContext() || {};
        var attrs = {
            quick_filters: context.neopro_quick_filters,
            range_fields: context.neopro_range_fields,
            range_widget: context.neopro_range_widget,
            upload_action: context.neopro_upload_action,
        };
        var searchView = this.getParent() && this.getParent().searchview;
        if (!searchView || !(attrs.quick_filters || attrs.range_fields || attrs.upload_action)) {
            return;
        }
        if (!this.$buttons) {
            this.$buttons = $('<div/>').appendTo($node);
        }
        if (attrs.upload_action) {
            this._neoproRenderUpload(attrs.upload_action);
        }
        if (attrs.range_fields) {
            this._neoproRenderRange(searchView, attrs.range_fields, attrs.range_widget || 'date');
        }
        if (attrs.quick_filters) {
            this._neoproRenderQuickFilters(searchView, attrs.quick_filters);
        }
        searchView.query.on('add remove change reset', this._neoproUpdateQuickFilters, this);
        this._neoproUpdateQuickFilters();
    },
    /**
     * @override
     */
    destroy: function () {
        var searchView = this.getParent() && this.getParent().searchview;
        if (searchView) {
            searchView.query.off(null, null, this);
        }
        this._super.apply(this, arguments);
    },
    /**
     * @private
     */
    _neoproRenderUpload: function (xmlid) {
        var self = this;
        $('<button type="button" class="btn btn-primary btn-sm o_neopro_upload"/>')
            .text(_t('Load a file'))
            .on('click', function () {
                self.do_action(xmlid, {on_close: function () { self.reload(); }});
            })
            .appendTo(this.$buttons);
    },
    /**
     * @private
     */
    _neoproRenderQuickFilters: function (searchView, names) {
        var self = this;
        this._neoproQuickFilters = [];
        _.each(names, function (name) {
            var found = self._neoproFindFilter(searchView, name.trim());
            if (!found) {
                return;
            }
            var $button = $('<button type="button" class="btn btn-sm btn-default o_neopro_quick_filter"/>')
                .attr('data-filter', found.filter.attrs.name)
                .text(found.filter.attrs.string)
                .on('click', function () {
                    found.group.toggle(found.filter);
                });
            self._neoproQuickFilters.push({$button: $button, filter: found.filter});
            self.$buttons.append($button);
        });
    },
    /**
     * Two pickers (date or month) setting the facets of the search fields ``names`` (from, to).
     *
     * @private
     */
    _neoproRenderRange: function (searchView, names, widget) {
        var self = this;
        this._neoproRangeInputs = [];
        var $panel = $('<span class="o_neopro_range form-inline"/>').appendTo(this.$buttons);
        _.each(names, function (name) {
            var field = _.find(searchView.search_fields, function (input) {
                return input.attrs && input.attrs.name === name.trim();
            });
            if (!field) {
                return;
            }
            var $label = $('<label class="o_neopro_range_label"/>').text(field.attrs.string);
            var $input = $('<input class="form-control input-sm o_neopro_range_input"/>')
                .attr({type: widget, name: field.attrs.name});
            $label.append($input).appendTo($panel);
            self._neoproRangeInputs.push({$input: $input, field: field});
            $input.on('change', function () {
                self._neoproSetRange(searchView, field, $input.val(), widget);
            });
        });
    },
    /**
     * Replace the facet of ``field`` by the picked ``value`` (YYYY-MM-DD, or YYYY-MM for a month); none when empty.
     *
     * @private
     */
    _neoproSetRange: function (searchView, field, value, widget) {
        var old = searchView.query.find(function (facet) {
            return facet.get('field') === field;
        });
        if (old) {
            searchView.query.remove(old);
        }
        if (!value) {
            return;
        }
        var day = moment(widget === 'month' ? value + '-01' : value, 'YYYY-MM-DD');
        if (!day.isValid()) {
            return;
        }
        var label = widget === 'month' ? day.format('MM.YYYY') : day.format(time.getLangDateFormat());
        searchView.query.add({
            category: field.attrs.string,
            field: field,
            values: [{label: label, value: day.toDate()}],
        });
    },
    /**
     * The filter group and filter of the search view named ``name``.
     *
     * @private
     */
    _neoproFindFilter: function (searchView, name) {
        var result = null;
        _.each(searchView.filters, function (group) {
            _.each(group.filters || [], function (filter) {
                if (!result && filter.attrs && filter.attrs.name === name) {
                    result = {group: group, filter: filter};
                }
            });
        });
        return result;
    },
    /**
     * Press the buttons of the filters that are on.
     *
     * @private
     */
    _neoproUpdateQuickFilters: function () {
        var searchView = this.getParent() && this.getParent().searchview;
        if (!searchView) {
            return;
        }
        // a range facet removed from the search box empties its picker
        _.each(this._neoproRangeInputs, function (range) {
            var facet = searchView.query.find(function (f) {
                return f.get('field') === range.field;
            });
            if (!facet) {
                range.$input.val('');
            }
        });
        var active = [];
        searchView.query.each(function (facet) {
            facet.values.each(function (value) {
                active.push(value.get('value'));
            });
        });
        _.each(this._neoproQuickFilters, function (quick) {
            quick.$button.toggleClass('active btn-primary', _.contains(active, quick.filter));
            quick.$button.toggleClass('btn-default', !_.contains(active, quick.filter));
        });
    },
});

return {
    ReadingField: ReadingField,
};

});
