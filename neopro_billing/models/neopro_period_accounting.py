from collections import defaultdict
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError


class NeoproPeriod(models.Model):
    """Accounting link (RULES §8): a closed period goes to Odoo accounting as customer invoices of the
    legal-entity contracts and one posted summary entry per branch for the rest of the ledger."""
    _inherit = 'neopro.period'

    account_invoice_ids = fields.One2many('account.invoice', 'neopro_period_id', string='Contract invoices',
                                          readonly=True)
    account_move_ids = fields.One2many('account.move', 'neopro_period_id', string='Accounting entries',
                                       readonly=True)

    def _on_close(self):
        result = super(NeoproPeriod, self)._on_close()
        for period in self:
            if self.env.user.company_id.neopro_post_on_close:
                period._generate_accounting()
        return result

    def _check_reopen(self):
        result = super(NeoproPeriod, self)._check_reopen()
        period = self.sudo()  # the documents are the superuser's (see _generate_accounting)
        if period.account_invoice_ids or period.account_move_ids:
            raise UserError(_('The period %s has gone to accounting (%s contract invoices, %s journal entries): '
                              'it can no longer be reopened. Book what is missing in the open period, with '
                              'corrections.') % (self.name, len(period.account_invoice_ids),
                                                 len(period.account_move_ids)))
        return result

    @api.multi
    def action_generate_accounting(self):
        """(Re)create the invoices and summary entries of closed periods, then show them."""
        if not self.env.user.has_group('neopro_billing.group_accountant'):
            raise AccessError(_('Only accountants and administrators can post billing to accounting.'))
        self._generate_accounting()
        return {
            'type': 'ir.actions.act_window',
            'name': _('Accounting entries of %s') % ', '.join(self.mapped('name')),
            'res_model': 'account.move',
            'view_mode': 'tree,form',
            'domain': [('neopro_period_id', 'in', self.ids)],
        }

    def _generate_accounting(self):
        """Replace the accounting documents of each (closed) period by ones made from its ledger."""
        # Billing accountants need not be Odoo Invoicing users: the documents are derived from the closed ledger,
        # not typed in, so they are written as the superuser once the caller's right was checked.
        for period in self.sudo():
            if period.state != 'closed':
                raise UserError(_('Period %s is open: only a closed period goes to accounting.') % period.name)
            company = self.env.user.company_id.sudo()._neopro_get_accounting_config()
            period._remove_accounting()
            invoices = period._create_contract_invoices(company)
            moves = period._create_summary_moves(company)
            period.message_post(body=_('Posted to accounting: %s contract invoices, %s summary entries.')
                                % (len(invoices), len(moves)))
        return True

    def _remove_accounting(self):
        """Cancel and delete the documents generated before for this period (when none is paid)."""
        self.ensure_one()
        invoices = self.account_invoice_ids
        paid = invoices.filtered(lambda inv: inv.payment_move_line_ids)
        if paid:
            raise UserError(_('Period %s: invoice %s has payments reconciled; unreconcile them before posting '
                              'the period again.') % (self.name, paid[0].number))
        open_invoices = invoices.filtered(lambda inv: inv.state in ('draft', 'open'))
        open_invoices.action_invoice_cancel()
        invoices.write({'move_name': False})
        invoices.unlink()
        moves = self.account_move_ids
        moves.filtered(lambda m: m.state == 'posted').button_cancel()
        moves.unlink()

    # ------------------------------------------------------------------------------------ invoices

    def _get_contract_totals(self):
        """``{contract id: [(operation type, service id, amount, volume)]}`` of charges, corrections, penalties."""
        self.ensure_one()
        self.env.cr.execute("""
            SELECT c.id, o.operation_type, o.service_id, SUM(o.amount), SUM(COALESCE(o.volume, 0))
              FROM neopro_operation o
              JOIN neopro_contract c ON c.account_id = o.account_id
             WHERE o.period_id = %s
               AND o.operation_type IN ('charge', 'correction', 'penalty')
             GROUP BY c.id, o.operation_type, o.service_id
             ORDER BY c.id, o.operation_type, o.service_id""", (self.id,))
        result = defaultdict(list)
        for contract_id, op_type, service_id, amount, volume in self.env.cr.fetchall():
            if amount:
                result[contract_id].append((op_type, service_id, Decimal(str(amount)), volume))
        return result

    def _create_contract_invoices(self, company):
        """One validated customer invoice (or credit note when negative) per contract with ledger lines."""
        self.ensure_one()
        invoices = self.env['account.invoice']
        contracts = self.env['neopro.contract'].with_context(active_test=False)
        for contract_id, totals in sorted(self._get_contract_totals().items()):
            contract = contracts.browse(contract_id)
            lines = [self._prepare_invoice_line(company, contract, *total) for total in totals]
            amount = sum(Decimal(str(line['price_unit'])) for line in lines)
            if not amount:
                continue
            values = self._prepare_invoice(company, contract, 'out_invoice' if amount > 0 else 'out_refund')
            if amount < 0:
                for line in lines:
                    line['price_unit'] = -line['price_unit']
            values['invoice_line_ids'] = [(0, 0, line) for line in lines]
            invoices |= invoices.create(values)
        invoices.action_invoice_open()
        return invoices

    def _prepare_invoice(self, company, contract, invoice_type):
        """Values of the invoice of ``contract`` for this period."""
        return {
            'type': invoice_type,
            'partner_id': contract.partner_id.id,
            'account_id': company.neopro_receivable_account_id.id,
            # given, so that the invoice does not look for the partner's receivable of a chart of accounts
            'payment_term_id': False,
            'fiscal_position_id': False,
            'partner_bank_id': False,
            'journal_id': company.neopro_invoice_journal_id.id,
            'company_id': company.id,
            'currency_id': company.currency_id.id,
            'date_invoice': self.date_end,
            'date_due': self.date_end,
            'origin': _('Contract %s, period %s') % (contract.name, self.name),
            'name': _('Water supply and sewage, %s') % self.name,
            'neopro_period_id': self.id,
            'neopro_contract_id': contract.id,
        }

    def _prepare_invoice_line(self, company, contract, op_type, service_id, amount, volume):
        """An invoice line for one operation type and service of a contract (quantity 1, exact amount)."""
        service = self.env['neopro.service'].browse(service_id)
        label = service.name or ''
        if op_type == 'charge':
            account = company.neopro_revenue_account_id
            name = _('%s, %s m³, %s') % (label, '%.3f' % (volume or 0.0), self.name)
        elif op_type == 'correction':
            account = company.neopro_correction_account_id
            name = _('Correction %s, %s') % (label, self.name)
        else:
            account = company.neopro_penalty_account_id
            name = _('Penalty, %s') % self.name
        return {
            'name': name.strip(),
            'product_id': company.neopro_product_id.id,
            'uom_id': company.neopro_product_id.uom_id.id,
            'account_id': account.id,
            'quantity': 1.0,
            'price_unit': float(amount),
        }

    # ------------------------------------------------------------------------------------ summary entries

    def _get_summary_totals(self):
        """``{branch id: [(operation type, service id, partner id or None, amount)]}``.

        Residential charges, corrections and penalties, and every payment (contract payments with the
        contract's company as partner, so the partner ledger nets them against its invoices).
        """
        self.ensure_one()
        self.env.cr.execute("""
            SELECT o.branch_id, o.operation_type, o.service_id, c.partner_id, SUM(o.amount)
              FROM neopro_operation o
              JOIN neopro_account a ON a.id = o.account_id
              LEFT JOIN neopro_contract c ON c.account_id = o.account_id
             WHERE o.period_id = %s AND (a.holder_type = 'subscriber' OR o.operation_type = 'payment')
             GROUP BY o.branch_id, o.operation_type, o.service_id, c.partner_id
             ORDER BY o.branch_id, o.operation_type, o.service_id, c.partner_id""", (self.id,))
        result = defaultdict(list)
        for branch_id, op_type, service_id, partner_id, amount in self.env.cr.fetchall():
            if amount:
                result[branch_id].append((op_type, service_id, partner_id, Decimal(str(amount))))
        return result

    def _create_summary_moves(self, company):
        """One posted journal entry per branch summarising its ledger of the period."""
        self.ensure_one()
        moves = self.env['account.move']
        for branch_id, totals in sorted(self._get_summary_totals().items(), key=lambda item: item[0] or 0):
            branch = self.env['neopro.branch'].browse(branch_id)
            lines = []
            for total in totals:
                lines += self._prepare_summary_lines(company, *total)
            moves |= moves.create({
                'journal_id': company.neopro_journal_id.id,
                'date': self.date_end,
                'ref': _('Billing %s, %s') % (self.name, branch.name or _('no branch')),
                'company_id': company.id,
                'neopro_period_id': self.id,
                'neopro_branch_id': branch_id,
                'line_ids': [(0, 0, line) for line in lines],
            })
        moves.post()
        return moves

    def _prepare_summary_lines(self, company, op_type, service_id, partner_id, amount):
        """The two lines (debit, credit) of one total; a negative correction swaps the sides."""
        service = self.env['neopro.service'].browse(service_id)
        receivable = company.neopro_receivable_account_id
        if op_type == 'payment':
            debit_account, credit_account = company.neopro_payment_account_id, receivable
            name = _('Payments')
        elif op_type == 'charge':
            debit_account, credit_account = receivable, company.neopro_revenue_account_id
            name = _('Charges')
        elif op_type == 'correction':
            debit_account, credit_account = receivable, company.neopro_correction_account_id
            name = _('Corrections')
        else:
            debit_account, credit_account = receivable, company.neopro_penalty_account_id
            name = _('Penalties')
        if amount < 0:
            debit_account, credit_account, amount = credit_account, debit_account, -amount
        if service:
            name = '%s: %s' % (name, service.name)
        value = float(amount)
        common = {'name': name, 'partner_id': partner_id or False}
        return [
            dict(common, account_id=debit_account.id, debit=value, credit=0.0),
            dict(common, account_id=credit_account.id, debit=0.0, credit=value),
        ]
