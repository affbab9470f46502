from odoo import _, api, models


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
