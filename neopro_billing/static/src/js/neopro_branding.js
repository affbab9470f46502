odoo.define('neopro_billing.branding', function (require) {
"use strict";
/**
 * No Odoo branding for the billing's users: the browser tab reads the billing's name, and error dialogs get titles
 * in the user's language instead of the server's untranslated "Odoo Server Error" / "Odoo Warning".
 */
var AbstractWebClient = require('web.AbstractWebClient');
var CrashManager = require('web.CrashManager');
var core = require('web.core');

var _t = core._t;
var _lt = core._lt;

AbstractWebClient.include({
    init: function () {
        this._super.apply(this, arguments);
        // lazy: the web client starts before the translations are loaded
        this.set('title_part', {zopenerp: _lt("NeoPro Billing")});
    },
});

// The titles the server and the web client give their dialogs, and the words users read instead.
var TITLES = {
    'odoo server error': function () { return _t("Server error"); },
    'odoo warning': function () { return _t("Warning"); },
    'odoo error': function () { return _t("Error"); },
    'odoo client error': function () { return _t("Error in the browser"); },
    'odoo session expired': function () { return _t("Session expired"); },
};

function retitle(error) {
    var title = (error.type || error.message || '').toLowerCase();
    if (TITLES[title]) {
        error = _.extend({}, error, {type: TITLES[title](), message: TITLES[title]()});
    } else if (!error.type && !error.message) {
        error = _.extend({}, error, {type: _t("Warning")});
    }
    return error;
}

// The kinds of refusal of the server, as the warning's title (web's Russian subtitles read "Проверка ошибок").
var WARNING_TITLES = {
    user_error: function () { return _t("Warning"); },
    warning: function () { return _t("Warning"); },
    validation_error: function () { return _t("Invalid data"); },
    access_error: function () { return _t("Access denied"); },
    access_denied: function () { return _t("Access denied"); },
    missing_error: function () { return _t("Record not found"); },
};

CrashManager.include({
    show_warning: function (error) {
        var kind = error.data && WARNING_TITLES[error.data.exception_type];
        if (kind) {
            error = _.extend({}, error, {type: kind(), message: kind(), data: _.extend({}, error.data, {title: ''})});
        }
        return this._super(retitle(error));
    },
    show_error: function (error) {
        return this._super(retitle(error));
    },
});
});
