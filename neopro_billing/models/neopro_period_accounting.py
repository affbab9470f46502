import logging
from collections import defaultdict, namedtuple
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.queue_job.job import job

from .neopro_accounting import money

_logger = logging.getLogger(__name__)

# Contracts per background job of a period's posting (system parameter neopro_billing.accounting_job_size).
DEFAULT_JOB_SIZE = 250
# What the documents of a contract need of it, read for a whole chunk in one query.
ContractInfo = namedtuple('ContractInfo', 'id name account_number partner_id partner_name')
# The documents of a contract and period, in the order they are written (and matched: oldest first).
DOCUMENT_KINDS = ('opening', 'invoice', 'credit')


class NeoproPeriod(models.Model):
    """Accounting link (RULES §8): a closed period goes to Odoo accounting as customer invoices and credit notes of
    the legal-entity contracts (with their payments as Odoo payments, reconciled oldest first) and one posted
    summary entry per branch for the residential ledger. It runs as background jobs: one for the summary
    entries, one per chunk of contracts; each is all-or-nothing and can run again without duplicating anything."""
    _inherit = 'neopro.period'

    account_invoice_ids = fields.One2many('account.invoice', 'neopro_period_id', string='Contract invoices',
                                          readonly=True)
    account_move_ids = fields.One2many('account.move', 'neopro_period_id', string='Accounting entries',
                                       readonly=True, domain=[('neopro_branch_id', '!=', False)])
    accounting_job_uuids = fields.Text(readonly=True, copy=False,
                                       help='Background jobs of the last posting of the period to accounting.')
    accounting_state = fields.Selection([
        ('none', 'Not posted'),
        ('posting', 'Posting'),
        ('posted', 'Posted'),
        ('failed', 'Failed'),
    ], compute='_compute_accounting_state', string='Accounting state')
    accounting_progress = fields.Float(compute='_compute_accounting_state', string='Posting progress (%)')
    accounting_error = fields.Text(compute='_compute_accounting_state', string='Posting errors')
    account_invoice_count = fields.Integer(compute='_compute_accounting_counts', string='Invoices')

    def _get_accounting_jobs(self):
        self.ensure_one()
        uuids = (self.accounting_job_uuids or '').split()
        # sudo: billing accountants read the state of their period's jobs (queue.job is for job managers)
        return self.env['queue.job'].sudo().search([('uuid', 'in', uuids)]) if uuids else self.env['queue.job']

    @api.depends('accounting_job_uuids')
    def _compute_accounting_state(self):
        for period in self:
            jobs = period._get_accounting_jobs()
            done = len(jobs.filtered(lambda j: j.state == 'done'))
            failed = jobs.filtered(lambda j: j.state == 'failed')
            period.accounting_progress = 100.0 * done / len(jobs) if jobs else 0.0
            period.accounting_error = '\n'.join(
                '%s: %s' % (j.name, (j.exc_info or '').strip().splitlines()[-1] if j.exc_info else '')
                for j in failed) or False
            if failed:
                period.accounting_state = 'failed'
            elif jobs and done < len(jobs):
                period.accounting_state = 'posting'
            elif jobs or period.sudo().account_invoice_ids or period.sudo().account_move_ids:
                period.accounting_state = 'posted'
            else:
                period.accounting_state = 'none'

    def _compute_accounting_counts(self):
        for period in self:
            period.account_invoice_count = len(period.sudo().account_invoice_ids)

    # ------------------------------------------------------------------------------------ actions

    def _on_close(self):
        result = super(NeoproPeriod, self)._on_close()
        if self.env.user.company_id.neopro_post_on_close:
            for period in self:
                period._enqueue_accounting()
        return result

    def _check_reopen(self):
        result = super(NeoproPeriod, self)._check_reopen()
        period = self.sudo()  # the documents are written by the system (see _enqueue_accounting)
        if period.account_invoice_ids or period.account_move_ids or period.accounting_job_uuids:
            raise UserError(_('The period %s has gone to accounting (%s contract invoices, %s journal entries): '
                              'it can no longer be reopened. Book what is missing in the open period, with '
                              'corrections.') % (self.name, len(period.account_invoice_ids),
                                                 len(period.account_move_ids)))
        return result

    def _check_accountant(self):
        if not self.env.user.has_group('neopro_billing.group_accountant'):
            raise AccessError(_('Only accountants and administrators can post billing to accounting.'))

    @api.multi
    def action_generate_accounting(self):
        """(Re)post closed periods to accounting in the background; shows the periods with their progress."""
        self._check_accountant()
        for period in self:
            period._enqueue_accounting()
        return self._action_show_periods()

    @api.multi
    def action_retry_accounting(self):
        """Run the failed posting jobs of the periods again (what they had written was rolled back)."""
        self._check_accountant()
        for period in self:
            failed = period._get_accounting_jobs().filtered(lambda j: j.state == 'failed')
            if not failed:
                raise UserError(_('The posting of the period %s has no failed job to retry.') % period.name)
            failed.requeue()
            period.message_post(body=_('Posting to accounting: %s failed jobs retried.') % len(failed))
        return self._action_show_periods()

    @api.multi
    def action_view_account_invoices(self):
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': _('Contract invoices of %s') % self.name,
            'res_model': 'account.invoice',
            'view_mode': 'tree,form',
            'views': [(self.env.ref('account.invoice_tree').id, 'tree'), (self.env.ref('account.invoice_form').id,
                                                                          'form')],
            'domain': [('neopro_period_id', '=', self.id)],
        }

    @api.multi
    def action_view_account_moves(self):
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': _('Accounting entries of %s') % self.name,
            'res_model': 'account.move',
            'view_mode': 'tree,form',
            'domain': [('neopro_period_id', '=', self.id), ('neopro_branch_id', '!=', False)],
        }

    def _action_show_periods(self):
        return {
            'type': 'ir.actions.act_window',
            'name': _('Posting to accounting'),
            'res_model': self._name,
            'view_mode': 'form' if len(self) == 1 else 'tree,form',
            'res_id': self.id if len(self) == 1 else False,
            'domain': [('id', 'in', self.ids)],
            'target': 'current',
        }

    def _get_accounting_job_size(self):
        return int(self.env['ir.config_parameter'].sudo().get_param('neopro_billing.accounting_job_size',
                                                                    DEFAULT_JOB_SIZE))

    def _generate_accounting(self):
        """Post the periods to accounting now, in this transaction (scripts and tests; users go through jobs)."""
        for period in self:
            period._enqueue_accounting(delay=False)
        return True

    def _enqueue_accounting(self, delay=True):
        """Check the period can be posted, then queue its jobs: summary entries, then contracts by chunks (with
        ``delay=False``, run them at once instead); returns the job uuids."""
        self.ensure_one()
        lang = self.env.context.get('lang') or self.env.user.lang  # the jobs write their texts in it
        # Billing accountants need not be Odoo Invoicing users: the documents are derived from the closed ledger,
        # not typed in, so they are written by the system once the caller's right was checked (jobs run sudo).
        period = self.sudo()
        if period.state != 'closed':
            raise UserError(_('Period %s is open: only a closed period goes to accounting.') % period.name)
        period.env.user.company_id._neopro_get_accounting_config()
        if period.accounting_state == 'posting':
            raise UserError(_('The period %s is being posted to accounting right now (%.0f %% done): wait for it '
                              'to finish.') % (period.name, period.accounting_progress))
        period._check_posting_order()
        contract_ids = period._get_posting_contracts()
        period._check_reposting(contract_ids)
        size = max(1, period._get_accounting_job_size())
        if not delay:
            period._post_summary_job()
            period._post_contracts(contract_ids)
            period.message_post(body=_('Posted to accounting: %s contracts.') % len(contract_ids))
            return []
        uuids = []
        delayed = period.with_delay(description=_('Accounting of %s: summary entries per branch') % period.name)
        uuids.append(getattr(delayed._post_summary_job(lang=lang), 'uuid', ''))
        for start in range(0, len(contract_ids), size):
            chunk = contract_ids[start:start + size]
            contracts = period.env['neopro.contract'].with_context(active_test=False).browse([chunk[0], chunk[-1]])
            delayed = period.with_delay(description=_('Accounting of %s: contracts %s – %s (%s)') % (
                period.name, contracts[0].name, contracts[-1].name, len(chunk)))
            uuids.append(getattr(delayed._post_contracts_job(chunk, lang=lang), 'uuid', ''))
        period._as_action().write({'accounting_job_uuids': ' '.join(u for u in uuids if u) or False})
        period.message_post(body=_('Posting to accounting queued: %s contracts in %s jobs, summary entries in one.')
                            % (len(contract_ids), len(uuids) - 1))
        return uuids

    def _get_posting_contracts(self):
        """Ids of the contracts the posting of the period touches: with documents to have, documents it has,
        or payments to post."""
        contract_ids = set(self._get_contract_documents())
        self.env.cr.execute("""
            SELECT neopro_contract_id FROM account_invoice
             WHERE neopro_period_id = %s AND neopro_contract_id IS NOT NULL
             UNION
            SELECT c.id FROM neopro_operation o JOIN neopro_contract c ON c.account_id = o.account_id
             WHERE o.period_id = %s AND o.operation_type = 'payment' AND o.account_payment_id IS NULL""",
                            (self.id, self.id))
        contract_ids.update(row[0] for row in self.env.cr.fetchall())
        return sorted(contract_ids)

    def _check_posting_order(self):
        """Refuse posting a month for the first time when a later month has contract documents already (its
        opening debts would be counted twice)."""
        self.env.cr.execute("""
            SELECT p.name FROM account_invoice i JOIN neopro_period p ON p.id = i.neopro_period_id
             WHERE p.date_start > %s LIMIT 1""", (self.date_start,))
        later = self.env.cr.fetchone()
        if later and not self.account_invoice_ids:
            raise UserError(_('The period %s cannot go to accounting after the period %s: periods are posted in '
                              'order, the first posted one carrying the opening debts.') % (self.name, later[0]))

    # ------------------------------------------------------------------------------------ jobs

    def _as_job_system(self, lang):
        """The period as the system writes its documents in a job: sudo (see ``_enqueue_accounting``), in the
        language of the user who queued it, ``lang`` (a job runs as the superuser without the context of the
        request that queued it: the texts of invoices and entries would be in the runner's language)."""
        return self.with_context(lang=lang or self.env.context.get('lang') or self.env.user.lang).sudo()

    @job(default_channel='root')
    @api.multi
    def _post_summary_job(self, lang=None):
        """Job: replace the period's summary entries per branch."""
        self.ensure_one()
        period = self._as_job_system(lang)
        company = period.env.user.company_id._neopro_get_accounting_config()
        moves = period.account_move_ids
        moves.filtered(lambda m: m.state == 'posted').button_cancel()
        moves.unlink()
        moves = period._create_summary_moves(company)
        return _('%s summary entries') % len(moves)

    @job(default_channel='root')
    @api.multi
    def _post_contracts_job(self, contract_ids, lang=None):
        """Job: the period's documents of these contracts, their payments, and their reconciliation."""
        self.ensure_one()
        period = self._as_job_system(lang)
        counts = period._post_contracts(contract_ids)
        return _('Contracts: %s; documents written: %s, removed: %s; payments: %s; reconciliations: %s') % (
            len(contract_ids), counts['created'], counts['removed'], counts['payments'], counts['partials'])

    def _post_contracts(self, contract_ids):
        """Bring the documents of ``contract_ids`` for this period in line with the ledger (idempotent)."""
        self.ensure_one()
        if not contract_ids:
            return {'created': 0, 'removed': 0, 'payments': 0, 'partials': 0}
        Accounting = self.env['neopro.accounting']
        company = self.env.user.company_id._neopro_get_accounting_config()
        wanted = self._get_contract_documents(contract_ids)
        existing = self._get_existing_documents(contract_ids)
        contracts = self._get_contract_info(contract_ids)
        documents, removed = [], []
        for contract_id in contract_ids:
            want = wanted.get(contract_id, {})
            have = existing.get(contract_id, {})
            if {kind: amount for kind, (amount, _lines) in want.items()} == \
                    {kind: amount for kind, (amount, _id, _rec, _n) in have.items()}:
                continue
            contract = contracts[contract_id]
            self._check_replaceable(contract, have)
            removed += [invoice_id for _amount, invoice_id, _rec, _n in have.values()]
            documents += [self._prepare_document(company, contract, kind, *want[kind])
                          for kind in DOCUMENT_KINDS if kind in want]
        Accounting._delete_documents(removed)
        Accounting._create_documents(documents)
        # The contract payments of this period and after (booked before the contract had documents) are posted
        # now; payments of earlier months are in the opening debt.
        payments = self.env['neopro.operation'].search([
            ('contract_id', 'in', list(contract_ids)), ('operation_type', '=', 'payment'),
            ('account_payment_id', '=', False), ('period_id.date_start', '>=', self.date_start)])
        Accounting._post_contract_payments(payments)
        partials = Accounting._reconcile_contracts(contract_ids)
        return {'created': len(documents), 'removed': len(removed), 'payments': len(payments),
                'partials': partials}

    # ------------------------------------------------------------------------------------ contract documents

    def _get_contract_documents(self, contract_ids=None):
        """``{contract id: {kind: (total, [(op type, service id, amount, volume)])}}`` the period should have.

        Kinds: ``opening`` (the contract's debt at the start of its first posted period; a credit note when
        negative), ``invoice`` (positive totals per type and service), ``credit`` (negative ones: corrections,
        refunds, write-offs, as a credit note).
        """
        cr = self.env.cr
        where = 'AND c.id IN %s' if contract_ids else ''
        params = (self.id, tuple(contract_ids)) if contract_ids else (self.id,)
        cr.execute("""
            SELECT c.id, o.operation_type, o.service_id, SUM(o.amount), SUM(COALESCE(o.volume, 0))
              FROM neopro_operation o
              JOIN neopro_contract c ON c.account_id = o.account_id
             WHERE o.period_id = %s AND o.operation_type IN ('charge', 'correction', 'penalty') """ + where + """
             GROUP BY c.id, o.operation_type, o.service_id
             ORDER BY c.id, o.operation_type, o.service_id""", params)
        result = defaultdict(dict)
        lines = defaultdict(lambda: defaultdict(list))
        for contract_id, op_type, service_id, amount, volume in cr.fetchall():
            amount = money(amount)
            if amount:
                lines[contract_id]['invoice' if amount > 0 else 'credit'].append((op_type, service_id, abs(amount),
                                                                                 volume))
        # opening debts: contracts with no document of an earlier period
        cr.execute("""
            SELECT c.id, b.balance_start
              FROM neopro_balance b
              JOIN neopro_contract c ON c.account_id = b.account_id
             WHERE b.period_id = %s AND b.balance_start != 0 """ + where + """
               AND NOT EXISTS (SELECT 1 FROM account_move m JOIN neopro_period p ON p.id = m.neopro_period_id
                                WHERE m.neopro_contract_id = c.id AND p.date_start < %s)""",
                   params + (self.date_start,))
        for contract_id, balance_start in cr.fetchall():
            amount = money(balance_start)
            lines[contract_id]['opening'].append(('opening', None, amount, 0))
        for contract_id, kinds in lines.items():
            for kind, kind_lines in kinds.items():
                total = sum((line[2] for line in kind_lines), Decimal(0))
                if total:
                    result[contract_id][kind] = (total, kind_lines)
        return result

    def _get_contract_info(self, contract_ids):
        """``{contract id: ContractInfo}`` (the partner is the company's commercial entity, as on invoices)."""
        self.env.cr.execute("""
            SELECT c.id, c.name, a.account_number, p.commercial_partner_id, p.name
              FROM neopro_contract c
              JOIN neopro_account a ON a.id = c.account_id
              LEFT JOIN res_partner p ON p.id = c.partner_id
             WHERE c.id IN %s""", (tuple(contract_ids),))
        return {row[0]: ContractInfo(*row) for row in self.env.cr.fetchall()}

    def _get_existing_documents(self, contract_ids):
        """``{contract id: {kind: (total, invoice id, reconciled?, number)}}`` of the period's contract documents."""
        self.env.cr.execute("""
            SELECT i.neopro_contract_id, i.neopro_kind, i.id, i.number, i.amount_total, i.type,
                   EXISTS (SELECT 1 FROM account_move_line l
                             JOIN account_partial_reconcile p ON p.debit_move_id = l.id OR p.credit_move_id = l.id
                            WHERE l.move_id = i.move_id)
              FROM account_invoice i
             WHERE i.neopro_period_id = %s AND i.neopro_contract_id IN %s AND i.state != 'cancel'""",
                            (self.id, tuple(contract_ids)))
        result = defaultdict(dict)
        for contract_id, kind, invoice_id, number, total, inv_type, reconciled in self.env.cr.fetchall():
            amount = money(total)
            if kind == 'opening' and inv_type == 'out_refund':
                amount = -amount
            result[contract_id][kind] = (amount, invoice_id, reconciled, number)
        return result

    def _check_replaceable(self, contract, have):
        """Refuse replacing a document of ``contract`` that is reconciled: its reconciliation would be lost."""
        for _kind, (amount, _invoice_id, reconciled, number) in sorted(have.items()):
            if reconciled:
                raise UserError(_('Period %s, contract %s (%s): the ledger no longer matches invoice %s (%s), which '
                                  'is reconciled with payments. Posting again would lose that reconciliation: '
                                  'unreconcile the invoice in Invoicing first, then post the period again.')
                                % (self.name, contract.name, contract.partner_name, number,
                                   '%.2f' % abs(amount)))

    def _check_reposting(self, contract_ids):
        """Before queueing: refuse at once when a changed document is reconciled (see _check_replaceable)."""
        if not contract_ids:
            return
        wanted = self._get_contract_documents(contract_ids)
        existing = self._get_existing_documents(contract_ids)
        contracts = self._get_contract_info(contract_ids)
        for contract_id, have in existing.items():
            want = {kind: amount for kind, (amount, _lines) in wanted.get(contract_id, {}).items()}
            if want != {kind: amount for kind, (amount, _i, _r, _n) in have.items()}:
                self._check_replaceable(contracts[contract_id], have)

    def _prepare_document(self, company, contract, kind, amount, lines):
        """A document for neopro.accounting._create_documents: an invoice, a credit note or an opening."""
        if not contract.partner_id:
            raise UserError(_('Contract %s (account %s) has no company (partner): its invoice of the period %s '
                              'cannot be made. Set the company on the contract, then retry.')
                            % (contract.name, contract.account_number, self.name))
        refund = kind == 'credit' or (kind == 'opening' and amount < 0)
        date = self.date_end
        if kind == 'opening':
            date = fields.Date.to_string(fields.Date.from_string(self.date_start) - relativedelta(days=1))
        receivable = company.neopro_receivable_account_id.id
        partner_id = contract.partner_id
        invoice_lines = [self._prepare_document_line(company, *line) for line in lines]
        name = {
            'opening': _('Opening debt of contract %s') % contract.name,
            'invoice': _('Water supply and sewage, %s') % self.name,
            'credit': _('Corrections and refunds, %s') % self.name,
        }[kind]
        origin = _('Contract %s, period %s') % (contract.name, self.name)
        total = abs(amount)
        receivable_line = {'name': name, 'account_id': receivable, 'debit': 0 if refund else total,
                           'credit': total if refund else 0, 'date_maturity': date, 'receivable': True}
        move_lines = [receivable_line] + [{
            'name': line['name'], 'account_id': line['account_id'], 'debit': line['amount'] if refund else 0,
            'credit': 0 if refund else line['amount'], 'product_id': line.get('product_id'),
            'product_uom_id': line.get('uom_id'), 'quantity': 1} for line in invoice_lines]
        return {
            'journal': company.neopro_invoice_journal_id, 'date': date, 'ref': origin, 'partner_id': partner_id,
            'contract_id': contract.id, 'period_id': self.id, 'lines': move_lines,
            'invoice': {'type': 'out_refund' if refund else 'out_invoice', 'kind': kind, 'name': name,
                        'origin': origin, 'date_due': date, 'lines': invoice_lines},
        }

    def _prepare_document_line(self, company, op_type, service_id, amount, volume):
        """An invoice line for one operation type and service of a contract (quantity 1, exact amount)."""
        service = self.env['neopro.service'].browse(service_id)
        label = service.name or ''
        if op_type == 'charge':
            account = company.neopro_revenue_account_id
            name = _('%s, %s m³, %s') % (label, '%.3f' % (volume or 0.0), self.name)
        elif op_type == 'correction':
            account = company.neopro_correction_account_id
            name = _('Correction %s, %s') % (label, self.name)
        elif op_type == 'opening':
            account = company.neopro_opening_account_id
            name = _('Debt at the start of %s') % self.name
        else:
            account = company.neopro_penalty_account_id
            name = _('Penalty, %s') % self.name
        return {
            'name': name.strip(),
            'product_id': company.neopro_product_id.id or None,
            'uom_id': company.neopro_product_id.uom_id.id or None,
            'account_id': account.id,
            'amount': abs(amount),
        }

    # ------------------------------------------------------------------------------------ summary entries

    def _get_summary_totals(self):
        """``{branch id: [(operation type, service id, amount)]}`` of the residential ledger of the period, with
        the opening debts per branch when the period is the first posted to accounting."""
        self.ensure_one()
        cr = self.env.cr
        cr.execute("""
            SELECT o.branch_id, o.operation_type, o.service_id, SUM(o.amount)
              FROM neopro_operation o
              JOIN neopro_account a ON a.id = o.account_id
             WHERE o.period_id = %s AND a.holder_type = 'subscriber'
             GROUP BY o.branch_id, o.operation_type, o.service_id
             ORDER BY o.branch_id, o.operation_type, o.service_id""", (self.id,))
        result = defaultdict(list)
        for branch_id, op_type, service_id, amount in cr.fetchall():
            if amount:
                result[branch_id].append((op_type, service_id, money(amount)))
        cr.execute("""SELECT 1 FROM account_move m JOIN neopro_period p ON p.id = m.neopro_period_id
                       WHERE m.neopro_branch_id IS NOT NULL AND p.date_start < %s LIMIT 1""", (self.date_start,))
        if not cr.fetchone():
            cr.execute("""
                SELECT a.branch_id, SUM(b.balance_start) FROM neopro_balance b
                  JOIN neopro_account a ON a.id = b.account_id
                 WHERE b.period_id = %s AND a.holder_type = 'subscriber'
                 GROUP BY a.branch_id""", (self.id,))
            for branch_id, amount in cr.fetchall():
                if money(amount):
                    result[branch_id].insert(0, ('opening', None, money(amount)))
        return result

    def _create_summary_moves(self, company):
        """One posted journal entry per branch summarising its residential ledger of the period."""
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

    def _prepare_summary_lines(self, company, op_type, service_id, amount):
        """The two lines (debit, credit) of one total; a negative amount swaps the sides."""
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
        elif op_type == 'opening':
            debit_account, credit_account = receivable, company.neopro_opening_account_id
            name = _('Opening debts')
        else:
            debit_account, credit_account = receivable, company.neopro_penalty_account_id
            name = _('Penalties')
        if amount < 0:
            debit_account, credit_account, amount = credit_account, debit_account, -amount
        if service:
            name = '%s: %s' % (name, service.name)
        value = float(amount)
        return [
            {'name': name, 'account_id': debit_account.id, 'debit': value, 'credit': 0.0},
            {'name': name, 'account_id': credit_account.id, 'debit': 0.0, 'credit': value},
        ]
