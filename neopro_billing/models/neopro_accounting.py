"""Contract documents in Odoo accounting, written in bulk (RULES §8).

A closed month gives about 2 000 contract invoices, credit notes and payments. Odoo 11 validates an invoice in
tens of ORM calls (about 10 invoices a second here, slowing down as the transaction grows), so these documents
are written set-based, with the very rows Odoo's own ``action_invoice_open``, ``account.payment.post`` and
``account.move.line.reconcile`` would write: the invoice and its lines, its posted move and move lines, the
payment and its move, and the reconciliation (partial and full reconciles, residuals, paid state). Numbers come
from the journals' sequences as Odoo's would. ``tests/test_accounting_link.py`` checks them against the ORM's own
computation of the same fields.
"""
from collections import defaultdict
from decimal import Decimal

from psycopg2.extras import execute_values

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .neopro_guard_mixin import local_today

CENT = Decimal('0.01')


def money(value):
    """Exact tenge of a figure (SQL numeric, float or Decimal)."""
    return Decimal(str(value or 0)).quantize(CENT)


class NeoproAccounting(models.AbstractModel):
    _name = 'neopro.accounting'
    _description = 'Contract documents in accounting (bulk)'

    # ------------------------------------------------------------------------------------ ids and numbers

    def _next_ids(self, table, count):
        if not count:
            return []
        # the table name is one of ours, never a value (see the callers)
        self.env.cr.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                            (table, count))
        return [row[0] for row in self.env.cr.fetchall()]

    def _reserve_names(self, sequence, date, count):
        """``count`` consecutive numbers of ``sequence`` for ``date``, the ones ``next_by_id`` would give one by one
        (its date range, prefix, padding; a no-gap sequence's row stays locked to the end of the transaction)."""
        if not count:
            return []
        cr = self.env.cr
        sequence = sequence.with_context(ir_sequence_date=date)
        holder, table, pg_name = sequence, 'ir_sequence', 'ir_sequence_%03d' % sequence.id
        if sequence.use_date_range:
            holder = self.env['ir.sequence.date_range'].search([
                ('sequence_id', '=', sequence.id), ('date_from', '<=', date), ('date_to', '>=', date)], limit=1) \
                or sequence._create_date_range_seq(date)
            sequence = sequence.with_context(ir_sequence_date_range=holder.date_from)
            table, pg_name = 'ir_sequence_date_range', 'ir_sequence_%03d_%03d' % (sequence.id, holder.id)
        step = sequence.number_increment
        if sequence.implementation == 'standard':
            cr.execute('SELECT nextval(%s) FROM generate_series(1, %s)', (pg_name, count))
            numbers = [row[0] for row in cr.fetchall()]
        else:
            # ``table`` is one of the two names above, never a value
            cr.execute('SELECT number_next FROM ' + table + ' WHERE id = %s FOR UPDATE', (holder.id,))
            first = cr.fetchone()[0]
            cr.execute('UPDATE ' + table + ' SET number_next = number_next + %s WHERE id = %s',
                       (step * count, holder.id))
            holder.invalidate_cache(['number_next'], holder.ids)
            numbers = [first + step * index for index in range(count)]
        return [sequence.get_next_char(number) for number in numbers]

    def _sequence_by_code(self, code):
        """The sequence ``next_by_code(code)`` draws from for the user's company."""
        company = self.env.user.company_id
        sequences = self.env['ir.sequence'].search([('code', '=', code), ('company_id', 'in', [company.id, False])],
                                                   order='company_id')
        sequence = sequences.filtered(lambda seq: seq.company_id == company)[:1] or sequences[:1]
        if not sequence:
            raise UserError(_('No sequence with the code %s: update the Invoicing application.') % code)
        return sequence

    def _assign_names(self, documents, key, sequence_of):
        """Set ``doc[key]`` of each document from its sequence (``sequence_of(doc)``) and date, in their order."""
        groups = defaultdict(list)
        for doc in documents:
            groups[(sequence_of(doc), doc['date'])].append(doc)
        for (sequence, date), docs in sorted(groups.items(), key=lambda item: (item[0][0].id, item[0][1])):
            for doc, name in zip(docs, self._reserve_names(sequence, date, len(docs))):
                doc[key] = name

    # ------------------------------------------------------------------------------------ documents

    def _create_documents(self, documents):
        """Write posted documents; returns ``(invoice ids, payment ids)``.

        Each document is a dict: ``journal``, ``date``, ``ref``, ``partner_id``, ``contract_id``, ``period_id``,
        ``lines`` (move lines: ``name``, ``account_id``, ``debit``, ``credit``, ``date_maturity``, optional
        ``product_id``, ``quantity``, ``product_uom_id``; the receivable line has ``receivable``); and either
        ``invoice`` (``type``, ``kind``, ``name``, ``origin``, ``date_due``, ``lines``: ``name``, ``account_id``,
        ``amount`` positive) or ``payment`` (``amount``, ``communication``, ``operation_id``).
        """
        if not documents:
            return [], []
        cr, uid, now = self.env.cr, self.env.uid, fields.Datetime.now()
        company = self.env.user.company_id
        currency_id = company.currency_id.id
        invoices = [doc for doc in documents if doc.get('invoice')]
        payments = [doc for doc in documents if doc.get('payment')]
        move_ids = self._next_ids('account_move', len(documents))
        invoice_ids = self._next_ids('account_invoice', len(invoices))
        payment_ids = self._next_ids('account_payment', len(payments))
        for doc, move_id in zip(documents, move_ids):
            doc['move_id'] = move_id

        def move_sequence(doc):
            journal = doc['journal']
            refund = bool(doc.get('invoice')) and doc['invoice']['type'] == 'out_refund'
            return journal.refund_sequence_id if refund and journal.refund_sequence else journal.sequence_id

        self._assign_names(documents, 'name', move_sequence)
        for doc, invoice_id in zip(invoices, invoice_ids):
            doc['invoice_id'] = invoice_id
        for doc, payment_id in zip(payments, payment_ids):
            doc['payment_id'] = payment_id
        payment_sequence = self._sequence_by_code('account.payment.customer.invoice') if payments else None
        self._assign_names(payments, 'payment_name', lambda doc: payment_sequence)
        method = self.env.ref('account.account_payment_method_manual_in')

        invoice_rows, invoice_line_rows = [], []
        for doc in invoices:
            inv = doc['invoice']
            total = sum((money(line['amount']) for line in inv['lines']), Decimal(0))
            sign = -1 if inv['type'] == 'out_refund' else 1
            receivable = [line for line in doc['lines'] if line.get('receivable')][0]
            invoice_rows.append((
                doc['invoice_id'], inv['name'], inv['origin'], inv['type'], doc['name'], doc['name'], 'none',
                'open', False, doc['date'], inv['date_due'], doc['partner_id'], doc['partner_id'], doc['date'],
                receivable['account_id'], doc['move_id'], total, sign * total, 0, total, sign * total, sign * total,
                currency_id, doc['journal'].id, company.id, False, total, sign * total, sign * total, uid,
                doc['period_id'], doc['contract_id'], inv['kind'], uid, now, uid, now))
            for sequence, line in enumerate(inv['lines'], 1):
                amount = money(line['amount'])
                invoice_line_rows.append((
                    line['name'], inv['origin'], sequence, doc['invoice_id'], line.get('uom_id'),
                    line.get('product_id'), line['account_id'], amount, amount, amount, sign * amount, 1, 0,
                    company.id, doc['partner_id'], currency_id, False, uid, now, uid, now))
        payment_rows = [(
            doc['payment_id'], company.id, doc['payment_name'], 'posted', 'inbound', doc['name'], 'open',
            method.id, 'customer', doc['partner_id'], money(doc['payment']['amount']), currency_id, doc['date'],
            doc['payment']['communication'], doc['journal'].id, doc['contract_id'], doc['payment']['operation_id'],
            uid, now, uid, now) for doc in payments]
        move_rows, line_rows = [], []
        types = {}
        for doc in documents:
            total = sum((money(line['debit']) for line in doc['lines']), Decimal(0))
            move_rows.append((doc['move_id'], doc['name'], doc['ref'], doc['date'], doc['journal'].id, currency_id,
                              'posted', doc['partner_id'], total, company.id, 0, doc['period_id'],
                              doc['contract_id'], uid, now, uid, now))
            for line in doc['lines']:
                account = self.env['account.account'].browse(line['account_id'])
                if account.id not in types:
                    types[account.id] = account.user_type_id.id
                debit, credit = money(line['debit']), money(line['credit'])
                balance = debit - credit
                reconcilable = account.reconcile
                line_rows.append((
                    line['name'], line.get('quantity', 1), line.get('product_uom_id'), line.get('product_id'),
                    debit, credit, balance, debit, credit, balance, 0, currency_id,
                    balance if reconcilable else 0, 0, 0, account.id, doc['move_id'], doc['ref'],
                    doc.get('payment_id'), False, doc['journal'].id, False, line.get('date_maturity') or doc['date'],
                    doc['date'], company.id, doc.get('invoice_id'), doc['partner_id'], types[account.id], True,
                    uid, now, uid, now))
        # in the order of the foreign keys: moves, invoices, payments, then the move lines pointing at them
        execute_values(cr, """
            INSERT INTO account_move (
                id, name, ref, date, journal_id, currency_id, state, partner_id, amount, company_id,
                matched_percentage, neopro_period_id, neopro_contract_id, create_uid, create_date, write_uid,
                write_date)
            VALUES %s""", move_rows, page_size=1000)
        execute_values(cr, """
            INSERT INTO account_invoice (
                id, name, origin, type, number, move_name, reference_type, state, sent, date_invoice, date_due,
                partner_id, commercial_partner_id, date, account_id, move_id, amount_untaxed, amount_untaxed_signed,
                amount_tax, amount_total, amount_total_signed, amount_total_company_signed, currency_id, journal_id,
                company_id, reconciled, residual, residual_signed, residual_company_signed, user_id,
                neopro_period_id, neopro_contract_id, neopro_kind, create_uid, create_date, write_uid, write_date)
            VALUES %s""", invoice_rows, page_size=1000)
        execute_values(cr, """
            INSERT INTO account_invoice_line (
                name, origin, sequence, invoice_id, uom_id, product_id, account_id, price_unit, price_subtotal,
                price_total, price_subtotal_signed, quantity, discount, company_id, partner_id, currency_id,
                is_rounding_line, create_uid, create_date, write_uid, write_date)
            VALUES %s""", invoice_line_rows, page_size=1000)

        execute_values(cr, """
            INSERT INTO account_payment (
                id, company_id, name, state, payment_type, move_name, payment_difference_handling,
                payment_method_id, partner_type, partner_id, amount, currency_id, payment_date, communication,
                journal_id, neopro_contract_id, neopro_operation_id, create_uid, create_date, write_uid, write_date)
            VALUES %s""", payment_rows, page_size=1000)

        execute_values(cr, """
            INSERT INTO account_move_line (
                name, quantity, product_uom_id, product_id, debit, credit, balance, debit_cash_basis,
                credit_cash_basis, balance_cash_basis, amount_currency, company_currency_id, amount_residual,
                amount_residual_currency, tax_base_amount, account_id, move_id, ref, payment_id, reconciled,
                journal_id, blocked, date_maturity, date, company_id, invoice_id, partner_id, user_type_id,
                tax_exigible, create_uid, create_date, write_uid, write_date)
            VALUES %s""", line_rows, page_size=2000)
        self._invalidate()
        return invoice_ids, payment_ids

    def _invalidate(self):
        for model in ('account.invoice', 'account.invoice.line', 'account.move', 'account.move.line',
                      'account.payment', 'account.partial.reconcile', 'account.full.reconcile', 'neopro.operation'):
            self.env[model].invalidate_cache()

    def _delete_documents(self, invoice_ids):
        """Remove unreconciled generated invoices with their moves (the caller checked none is reconciled)."""
        if not invoice_ids:
            return
        cr = self.env.cr
        cr.execute('SELECT move_id FROM account_invoice WHERE id IN %s AND move_id IS NOT NULL',
                   (tuple(invoice_ids),))
        move_ids = tuple(row[0] for row in cr.fetchall())
        cr.execute('DELETE FROM account_invoice_line WHERE invoice_id IN %s', (tuple(invoice_ids),))
        cr.execute('DELETE FROM account_invoice WHERE id IN %s', (tuple(invoice_ids),))
        if move_ids:
            cr.execute('DELETE FROM account_move_line WHERE move_id IN %s', (move_ids,))
            cr.execute('DELETE FROM account_move WHERE id IN %s', (move_ids,))
        self._invalidate()

    # ------------------------------------------------------------------------------------ reconciliation

    def _reconcile_contracts(self, contract_ids):
        """Reconcile each contract's open receivable items, oldest first (debits with credits).

        The items of a contract are the receivable lines of its documents (invoices, credit notes, openings,
        payments: ``account.move.neopro_contract_id``). Writes what ``account.move.line.reconcile`` writes.
        """
        if not contract_ids:
            return 0
        cr = self.env.cr
        company = self.env.user.company_id
        receivable = company.neopro_receivable_account_id.id
        cr.execute("""
            SELECT l.id, m.neopro_contract_id, l.amount_residual, l.date_maturity, l.date, l.balance, l.move_id,
                   l.invoice_id
              FROM account_move_line l
              JOIN account_move m ON m.id = l.move_id
             WHERE m.neopro_contract_id IN %s AND l.account_id = %s AND l.full_reconcile_id IS NULL
               AND m.state = 'posted'
             ORDER BY m.neopro_contract_id, l.date_maturity, l.id""", (tuple(contract_ids), receivable))
        lines = {}
        by_contract = defaultdict(list)
        for line_id, contract_id, residual, maturity, date, balance, move_id, invoice_id in cr.fetchall():
            line = {'id': line_id, 'residual': money(residual), 'date': date, 'move_id': move_id,
                    'invoice_id': invoice_id, 'contract_id': contract_id}
            lines[line_id] = line
            by_contract[contract_id].append(line)
        partials = []
        for contract_lines in by_contract.values():
            debits = [line for line in contract_lines if line['residual'] > 0]
            credits = [line for line in contract_lines if line['residual'] < 0]
            d = c = 0
            while d < len(debits) and c < len(credits):
                debit, credit = debits[d], credits[c]
                amount = min(debit['residual'], -credit['residual'])
                partials.append((debit['id'], credit['id'], amount, max(debit['date'], credit['date'])))
                debit['residual'] -= amount
                credit['residual'] += amount
                if not debit['residual']:
                    d += 1
                if not credit['residual']:
                    c += 1
        if not partials:
            return 0
        uid, now = self.env.uid, fields.Datetime.now()
        execute_values(cr, """
            INSERT INTO account_partial_reconcile (
                debit_move_id, credit_move_id, amount, amount_currency, company_id, max_date,
                create_uid, create_date, write_uid, write_date)
            VALUES %s""", [(debit, credit, amount, 0, company.id, date, uid, now, uid, now)
                           for debit, credit, amount, date in partials], page_size=2000)
        touched = {line_id for partial in partials for line_id in partial[:2]}
        execute_values(cr, """
            UPDATE account_move_line l SET amount_residual = v.residual, reconciled = v.residual = 0,
                   write_uid = v.uid, write_date = v.now
              FROM (VALUES %s) AS v(id, residual, uid, now) WHERE l.id = v.id""",
                       [(line_id, lines[line_id]['residual'], uid, now) for line_id in sorted(touched)],
                       template='(%s, %s::numeric, %s, %s::timestamp)', page_size=2000)
        self._create_full_reconciles(lines)
        moves = {lines[line_id]['move_id'] for line_id in touched}
        self._update_matched(moves)
        self._update_invoices({lines[line_id]['invoice_id'] for line_id in touched if lines[line_id]['invoice_id']})
        self._invalidate()
        return len(partials)

    def _create_full_reconciles(self, lines):
        """A full reconcile for each set of lines joined by partials whose residuals are all zero."""
        cr = self.env.cr
        ids = tuple(lines)
        cr.execute("""SELECT debit_move_id, credit_move_id, id FROM account_partial_reconcile
                       WHERE (debit_move_id IN %s OR credit_move_id IN %s) AND full_reconcile_id IS NULL""",
                   (ids, ids))
        parent = {}

        def find(x):
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        partial_rows = cr.fetchall()
        for debit, credit, _partial in partial_rows:
            parent[find(debit)] = find(credit)
        groups = defaultdict(lambda: ([], []))
        for debit, credit, partial in partial_rows:
            root = find(debit)
            groups[root][1].append(partial)
            groups[root][0].extend([debit, credit])
        complete = [(sorted(set(line_ids)), partial_ids) for line_ids, partial_ids in groups.values()
                    if all(line_id in lines and not lines[line_id]['residual'] for line_id in line_ids)]
        if not complete:
            return
        uid, now = self.env.uid, fields.Datetime.now()
        full_ids = self._next_ids('account_full_reconcile', len(complete))
        names = self._reserve_names(self._sequence_by_code('account.reconcile'), local_today(self),
                                    len(complete))
        execute_values(cr, """
            INSERT INTO account_full_reconcile (id, name, create_uid, create_date, write_uid, write_date)
            VALUES %s""", [(full_id, name, uid, now, uid, now) for full_id, name in zip(full_ids, names)],
                       page_size=2000)
        execute_values(cr, """
            UPDATE account_move_line l SET full_reconcile_id = v.full_id FROM (VALUES %s) AS v(id, full_id)
             WHERE l.id = v.id""", [(line_id, full_id) for full_id, (line_ids, _p) in zip(full_ids, complete)
                                    for line_id in line_ids], page_size=5000)
        execute_values(cr, """
            UPDATE account_partial_reconcile p SET full_reconcile_id = v.full_id FROM (VALUES %s) AS v(id, full_id)
             WHERE p.id = v.id""", [(partial_id, full_id) for full_id, (_l, partial_ids) in zip(full_ids, complete)
                                    for partial_id in partial_ids], page_size=5000)

    def _update_matched(self, move_ids):
        """``matched_percentage`` of the moves as Odoo computes it (reconciled share of their receivable)."""
        if not move_ids:
            return
        self.env.cr.execute("""
            UPDATE account_move m SET matched_percentage = COALESCE(
                   CASE WHEN t.total = 0 THEN 1.0 ELSE t.matched / t.total END, 1.0)
              FROM (SELECT l.move_id, SUM(ABS(l.balance)) AS total,
                           SUM(COALESCE((SELECT SUM(p.amount) FROM account_partial_reconcile p
                                          WHERE p.debit_move_id = l.id OR p.credit_move_id = l.id), 0)) AS matched
                      FROM account_move_line l
                      JOIN account_account_type t ON t.id = l.user_type_id
                     WHERE l.move_id IN %s AND t.type IN ('receivable', 'payable')
                  GROUP BY l.move_id) t
             WHERE m.id = t.move_id""", (tuple(move_ids),))

    def _update_invoices(self, invoice_ids):
        """Residual, reconciled, paid state and payment lines of the invoices, as Odoo computes them."""
        if not invoice_ids:
            return
        cr = self.env.cr
        ids = tuple(invoice_ids)
        cr.execute("""
            UPDATE account_invoice i SET
                   residual = ABS(t.residual),
                   residual_signed = CASE WHEN i.type = 'out_refund' THEN -ABS(t.residual) ELSE ABS(t.residual) END,
                   residual_company_signed = CASE WHEN i.type = 'out_refund' THEN -ABS(t.residual)
                                                  ELSE ABS(t.residual) END,
                   reconciled = t.residual = 0,
                   state = CASE WHEN t.residual = 0 THEN 'paid' ELSE 'open' END
              FROM (SELECT l.invoice_id, SUM(l.amount_residual) AS residual
                      FROM account_move_line l JOIN account_invoice i2 ON i2.move_id = l.move_id
                     WHERE l.invoice_id IN %s AND l.account_id = i2.account_id
                  GROUP BY l.invoice_id) t
             WHERE i.id = t.invoice_id AND i.state IN ('open', 'paid')""", (ids,))
        cr.execute('DELETE FROM account_invoice_account_move_line_rel WHERE account_invoice_id IN %s', (ids,))
        cr.execute("""
            INSERT INTO account_invoice_account_move_line_rel (account_invoice_id, account_move_line_id)
            SELECT DISTINCT i.id, CASE WHEN p.debit_move_id = l.id THEN p.credit_move_id ELSE p.debit_move_id END
              FROM account_invoice i
              JOIN account_move_line l ON l.move_id = i.move_id AND l.account_id = i.account_id
              JOIN account_partial_reconcile p ON p.debit_move_id = l.id OR p.credit_move_id = l.id
             WHERE i.id IN %s""", (ids,))

    # ------------------------------------------------------------------------------------ payments

    @api.model
    def _post_contract_payments(self, operations):
        """Odoo payments of the contract payments ``operations`` not posted yet; returns their contract ids."""
        company = self.env.user.company_id._neopro_get_accounting_config()
        if not operations:
            return []
        self.env.cr.execute("""
            SELECT o.id, o.amount, o.date, o.period_id, o.txn_id, o.account_number, c.id, c.name,
                   p.commercial_partner_id
              FROM neopro_operation o
              JOIN neopro_contract c ON c.account_id = o.account_id
              LEFT JOIN res_partner p ON p.id = c.partner_id
             WHERE o.id IN %s AND o.operation_type = 'payment' AND o.account_payment_id IS NULL
             ORDER BY o.date, o.id""", (tuple(operations.ids),))
        rows = self.env.cr.fetchall()
        documents = []
        bank_account = company.neopro_payment_journal_id.default_debit_account_id.id
        for op_id, amount, date, period_id, txn_id, number, contract_id, contract, partner_id in rows:
            amount = money(amount)
            if not partner_id:
                raise UserError(_('Contract %s (account %s): it has no company (partner), so its payment of %s '
                                  'cannot go to accounting.') % (contract, number, amount))
            name = _('Payment %s, contract %s') % (txn_id or op_id, contract)
            documents.append({
                'journal': company.neopro_payment_journal_id, 'date': date, 'ref': name, 'partner_id': partner_id,
                'contract_id': contract_id, 'period_id': period_id,
                'payment': {'amount': amount, 'communication': name, 'operation_id': op_id},
                'lines': [
                    {'name': name, 'account_id': bank_account, 'debit': amount, 'credit': 0},
                    {'name': name, 'account_id': company.neopro_receivable_account_id.id, 'debit': 0,
                     'credit': amount, 'receivable': True},
                ],
            })
        _invoice_ids, payment_ids = self._create_documents(documents)
        if payment_ids:
            execute_values(self.env.cr, """
                UPDATE neopro_operation o SET account_payment_id = v.payment_id FROM (VALUES %s) AS v(id, payment_id)
                 WHERE o.id = v.id""", [(doc['payment']['operation_id'], doc['payment_id']) for doc in documents])
            self._invalidate()
        return sorted({doc['contract_id'] for doc in documents})
