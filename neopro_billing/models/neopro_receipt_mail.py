import base64
import logging

from odoo import _, api, fields, models

_logger = logging.getLogger(__name__)


class NeoproReceiptMail(models.Model):
    """One account's receipt of one period sent by e-mail (RULES §15): the batch's progress, its protocol and its
    memory — an account has one line a period, so running the batch again sends only what is not sent yet."""
    _name = 'neopro.receipt.mail'
    _description = 'Receipt sent by e-mail'
    _order = 'id desc'

    period_id = fields.Many2one('neopro.period', required=True, readonly=True, ondelete='cascade', index=True)
    account_id = fields.Many2one('neopro.account', required=True, readonly=True, ondelete='cascade', index=True)
    branch_id = fields.Many2one(related='account_id.branch_id', store=True, readonly=True, index=True)
    email = fields.Char(readonly=True)
    state = fields.Selection([('queued', 'Queued'), ('failed', 'Failed')], required=True, readonly=True,
                             help='Queued: the message with the PDF is in the mail queue (its delivery: Delivery). '
                                  'Failed: no message was made; the error says why.')
    mail_id = fields.Many2one('mail.mail', readonly=True, ondelete='set null', string='Message')
    mail_state = fields.Selection(related='mail_id.state', readonly=True, string='Delivery')
    error = fields.Char(readonly=True)

    _sql_constraints = [
        ('period_account_unique', 'unique(period_id, account_id)', 'An account gets one receipt e-mail a period.'),
    ]

    @api.model
    def _get_accounts_to_mail(self, period):
        """The accounts whose receipt of ``period`` goes out now: open, with an e-mail address, not opted out,
        not sent yet (a failed one is tried again)."""
        done = self.search([('period_id', '=', period.id), ('state', '=', 'queued')]).mapped('account_id')
        subscribers = self.env['neopro.subscriber'].search([
            ('receipt_email_opt_out', '=', False), '|', ('email', '!=', False), ('partner_id.email', '!=', False)])
        contracts = self.env['neopro.contract'].search([
            ('receipt_email_opt_out', '=', False), ('state', '!=', 'terminated'), ('partner_id.email', '!=', False)])
        accounts = (subscribers.mapped('account_id') | contracts.mapped('account_id')) - done
        return accounts.sorted('id')

    @api.model
    def _send_receipts(self, period, accounts):
        """Send each account its receipt of ``period``: the PDF, a message from the mail template through the mail
        queue, a note with the PDF on the holder's chatter; an account that fails is listed, the others go on."""
        template = self.env.ref('neopro_billing.mail_template_receipt')
        sent = failed = 0
        for account in accounts:
            line = self.search([('period_id', '=', period.id), ('account_id', '=', account.id)])
            if line.state == 'queued':
                continue
            email = account.receipt_email
            try:
                with self.env.cr.savepoint():
                    mail = self._send_receipt(template, period, account)
                values = {'state': 'queued', 'mail_id': mail.id, 'email': email, 'error': False}
                sent += 1
            except Exception as error:  # a bad account is reported, the batch goes on (STYLE: OCA contract)
                _logger.warning('Receipt of account %s not sent: %s', account.account_number, error)
                message = getattr(error, 'name', None) or str(error)
                values = {'state': 'failed', 'mail_id': False, 'email': email, 'error': message[:500]}
                failed += 1
            if line:
                line.write(values)
            else:
                self.create(dict(values, period_id=period.id, account_id=account.id))
        return sent, failed

    @api.model
    def _send_receipt(self, template, period, account):
        """One account's receipt: the PDF attached to the holder, the e-mail queued, the note posted."""
        holder = account._get_holder()
        if not account.receipt_email:
            raise ValueError(_('The account has no e-mail address.'))
        report = self.env.ref(holder._receipt_report)
        pdf = report.render_qweb_pdf(holder.ids, data={'period_id': period.id})[0]
        attachment = self.env['ir.attachment'].create({
            'name': self._get_receipt_filename(account, period),
            'datas_fname': self._get_receipt_filename(account, period),
            'datas': base64.b64encode(pdf),
            'mimetype': 'application/pdf',
            'res_model': holder._name,
            'res_id': holder.id,
        })
        # sudo: the portal address is a public setting
        base_url = self.env['ir.config_parameter'].sudo().get_param('web.base.url') or ''
        mail_id = template.with_context(
            period_name=period.name, portal_url=base_url.rstrip('/') + '/my/accounts',
            amount_due='%.2f' % max(account.balance_end, 0.0),
        ).send_mail(account.id, email_values={'attachment_ids': attachment.ids})
        holder.message_post(body=_('Receipt for %s sent by e-mail to %s.') % (period.name, account.receipt_email),
                            attachment_ids=attachment.ids, subtype='mail.mt_note')
        return self.env['mail.mail'].browse(mail_id)

    @api.model
    def _get_receipt_filename(self, account, period):
        """The name of the receipt's PDF: "Receipt <ЛС> <MM.YYYY>.pdf"."""
        return _('Receipt %s %s.pdf') % (account.account_number, period.name)
