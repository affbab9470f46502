"""The audit trail of the billing (issue 11): append-only, written by the real user.

The chatter of the billing records (accounts, meters, readings, tariffs, norms, periods: every ``neopro.*`` model)
is their audit trail. Users add to it; nobody but the superuser (trusted code, the data migration) edits or deletes
its messages and their tracking values, and a message's author is the user who writes it.
"""
from odoo import SUPERUSER_ID, _, api, models
from odoo.exceptions import AccessError

# The audited records: the models of the billing.
AUDITED_PREFIX = 'neopro.'
# What a user may still change on a message: his own flags (read, starred), not its content.
PERSONAL_FIELDS = {'needaction_partner_ids', 'starred_partner_ids'}
# Context value of a record's own deletion (its messages go with it): a Python object, which no client can send.
_RECORD_UNLINK = object()


class MailMessage(models.Model):
    _inherit = 'mail.message'

    @api.model
    def create(self, values):
        if self.env.uid != SUPERUSER_ID and values.get('author_id') and \
                values['author_id'] != self.env.user.partner_id.id:
            # message_post(author_id=<someone else>): the author is always the real user
            values = dict(values, author_id=self.env.user.partner_id.id)
        return super(MailMessage, self).create(values)

    @api.multi
    def write(self, vals):
        if set(vals) - PERSONAL_FIELDS:
            self._check_audit_trail()
        return super(MailMessage, self).write(vals)

    @api.multi
    def unlink(self):
        self._check_audit_trail()
        return super(MailMessage, self).unlink()

    def _check_audit_trail(self):
        """Refuse a user's change to a message of a billing record."""
        if self.env.uid == SUPERUSER_ID or self.env.context.get('neopro_record_unlink') is _RECORD_UNLINK:
            return
        # sudo: the model of every message is read to decide, including messages the user cannot read
        audited = self.sudo().filtered(lambda m: (m.model or '').startswith(AUDITED_PREFIX))
        if audited:
            raise AccessError(_('The history of billing records is kept as written: its messages cannot be changed '
                                'or deleted (%s).') % ', '.join(sorted(set(audited.mapped('model')))))


class MailTrackingValue(models.Model):
    _inherit = 'mail.tracking.value'

    @api.multi
    def write(self, vals):
        self._check_audit_trail()
        return super(MailTrackingValue, self).write(vals)

    @api.multi
    def unlink(self):
        self._check_audit_trail()
        return super(MailTrackingValue, self).unlink()

    def _check_audit_trail(self):
        """Refuse a user's change to the tracked values of a billing record's message."""
        if self.env.uid == SUPERUSER_ID or self.env.context.get('neopro_record_unlink') is _RECORD_UNLINK:
            return
        # sudo: the message of a tracking value is read to decide
        if self.sudo().mapped('mail_message_id').filtered(lambda m: (m.model or '').startswith(AUDITED_PREFIX)):
            raise AccessError(_('The history of billing records is kept as written: its tracked values cannot be '
                                'changed or deleted.'))
