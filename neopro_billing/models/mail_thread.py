from odoo import SUPERUSER_ID, _, api, models

from .mail_message import _RECORD_UNLINK, AUDITED_PREFIX


class MailThread(models.AbstractModel):
    """The chatter line of a new billing record.

    Odoo writes "<model> created", which its Russian translation makes "Абонент создано" (the participle does not
    agree with the model's name); the billing's records say "Новая запись: Абонент" instead."""
    _inherit = 'mail.thread'

    @api.model
    def create(self, values):
        if not self._name.startswith('neopro.') or self.env.context.get('mail_create_nolog'):
            return super(MailThread, self).create(values)
        record = super(MailThread, self.with_context(mail_create_nolog=True)).create(values)
        record = record.with_env(self.env)
        record.message_post(body=_('New record: %s') % self.env['ir.model']._get(self._name).name)
        return record

    @api.multi
    def unlink(self):
        """A billing record a user may delete (reference data not in use) takes its messages with it."""
        records = self
        if self._name.startswith(AUDITED_PREFIX) and self.env.uid != SUPERUSER_ID:
            self.check_access_rights('unlink')
            self.check_access_rule('unlink')
            records = self.with_context(neopro_record_unlink=_RECORD_UNLINK)
        return super(MailThread, records).unlink()
