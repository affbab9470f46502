import logging
import time

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.queue_job.job import job

from ..lib.dates import format_date
from .neopro_guard_mixin import local_today

_logger = logging.getLogger(__name__)

# Fields of a closed period that may still change: its chatter.
_CLOSED_WRITABLE = ('message_', 'activity_')
# The period's own actions pass this object in the context (key _ACTION_KEY) to change its state and dates. A
# client's context arrives over XML-RPC / JSON-RPC as plain data (text, numbers, lists, dicts): it can carry the
# key but never this very object, and the actions setting it are Python code, not callable remotely with another
# value. So no RPC client, not even the administrator (the superuser in Odoo 11), closes, reopens or moves a
# period but through action_close & co., which carry the balances over and open the next month.
_ACTION_TOKEN = object()
_ACTION_KEY = 'neopro_period_action'
# Fields only the actions change.
_ACTION_FIELDS = ('state', 'date_start', 'date_end')
# First key of the period's advisory lock (the second is the period id): 'NPB1'.
_CALCULATION_LOCK = 0x4E504231


class NeoproPeriod(models.Model):
    _name = 'neopro.period'
    _inherit = 'mail.thread'
    _description = 'Billing period'
    _order = 'date_start desc'

    name = fields.Char(compute='_compute_name', store=True)
    date_start = fields.Date(required=True, readonly=True, states={'open': [('readonly', False)]})
    date_end = fields.Date(required=True, readonly=True, states={'open': [('readonly', False)]})
    state = fields.Selection([('open', 'Open'), ('closed', 'Closed')], default='open', required=True,
                             readonly=True, track_visibility='onchange')
    date_calculated = fields.Date(string='Calculated up to', readonly=True, copy=False,
                                  help='Date of the last calculation: readings up to it are billed.')
    calculated_at = fields.Datetime(string='Last calculation', readonly=True, copy=False)
    calculation_job_uuids = fields.Text(readonly=True, copy=False,
                                        help='Background jobs of the last calculation run in the queue.')
    calculation_progress = fields.Float(compute='_compute_calculation_progress', string='Progress (%)')
    calculation_state = fields.Selection([
        ('none', 'Not running'),
        ('running', 'Running'),
        ('done', 'Done'),
        ('failed', 'Failed'),
    ], compute='_compute_calculation_progress', string='Background calculation')
    is_ended = fields.Boolean(compute='_compute_is_ended', string='Month ended',
                              help='Today is the last day of the period or later: it may be closed.')
    balance_ids = fields.One2many('neopro.balance', 'period_id', string='Balances')
    operation_ids = fields.One2many('neopro.operation', 'period_id', string='Operations')
    receipt_mail_ids = fields.One2many('neopro.receipt.mail', 'period_id', string='Receipts by e-mail')
    receipt_mail_job_uuids = fields.Text(readonly=True, copy=False,
                                         help='Background jobs of the last sending of receipts by e-mail.')
    receipt_mail_progress = fields.Float(compute='_compute_receipt_mail_progress', string='Sending (%)')
    receipt_mail_state = fields.Selection([
        ('none', 'Not running'),
        ('running', 'Running'),
        ('done', 'Done'),
        ('failed', 'Failed'),
    ], compute='_compute_receipt_mail_progress', string='Receipts by e-mail')
    receipt_mail_sent_count = fields.Integer(compute='_compute_receipt_mail_counts', string='Receipts queued')
    receipt_mail_failed_count = fields.Integer(compute='_compute_receipt_mail_counts', string='Receipts failed')

    _sql_constraints = [
        ('date_start_unique', 'unique(date_start)', 'This month has a billing period already.'),
    ]

    @api.depends('date_start')
    def _compute_name(self):
        for period in self:
            period.name = period.date_start and '%s.%s' % (period.date_start[5:7], period.date_start[:4])

    @api.depends('date_end')
    def _compute_is_ended(self):
        today = local_today(self)
        for period in self:
            period.is_ended = bool(period.date_end) and today >= period.date_end

    @api.depends('calculation_job_uuids')
    def _compute_calculation_progress(self):
        Job = self.env['queue.job'].sudo()  # sudo: billing users read the state of their own calculation jobs
        for period in self:
            uuids = (period.calculation_job_uuids or '').split()
            if not uuids:
                period.calculation_state, period.calculation_progress = 'none', 0.0
                continue
            states = [job.state for job in Job.search([('uuid', 'in', uuids)])]
            done = states.count('done')
            period.calculation_progress = 100.0 * done / len(uuids)
            if 'failed' in states:
                period.calculation_state = 'failed'
            elif done == len(uuids):
                period.calculation_state = 'done'
            else:
                period.calculation_state = 'running'

    @api.depends('receipt_mail_job_uuids')
    def _compute_receipt_mail_progress(self):
        for period in self:
            period.receipt_mail_state, period.receipt_mail_progress = period._get_jobs_progress(
                period.receipt_mail_job_uuids)

    def _compute_receipt_mail_counts(self):
        groups = self.env['neopro.receipt.mail'].read_group(
            [('period_id', 'in', self.ids)], ['period_id', 'state'], ['period_id', 'state'], lazy=False)
        counts = {(g['period_id'][0], g['state']): g['__count'] for g in groups}
        for period in self:
            period.receipt_mail_sent_count = counts.get((period.id, 'queued'), 0)
            period.receipt_mail_failed_count = counts.get((period.id, 'failed'), 0)

    @api.model
    def _get_jobs_progress(self, uuids):
        """(state, % done) of the background jobs of these space-separated uuids."""
        uuids = (uuids or '').split()
        if not uuids:
            return 'none', 0.0
        # sudo: billing users read the state of their own jobs
        states = self.env['queue.job'].sudo().search([('uuid', 'in', uuids)]).mapped('state')
        done = states.count('done')
        if 'failed' in states:
            state = 'failed'
        elif done == len(uuids):
            state = 'done'
        else:
            state = 'running'
        return state, 100.0 * done / len(uuids)

    @api.constrains('date_start', 'date_end')
    def _check_month(self):
        for period in self:
            start = fields.Date.from_string(period.date_start)
            if start.day != 1 or fields.Date.from_string(period.date_end) != start + relativedelta(months=1, days=-1):
                raise ValidationError(_('A billing period is one calendar month: from the 1st to its last day.'))

    @api.constrains('state')
    def _check_one_open(self):
        if self.search_count([('state', '=', 'open')]) > 1:
            raise ValidationError(_('Only one billing period can be open at a time.'))

    @api.onchange('date_start')
    def _onchange_date_start(self):
        if self.date_start:
            start = fields.Date.from_string(self.date_start).replace(day=1)
            self.date_start = fields.Date.to_string(start)
            self.date_end = fields.Date.to_string(start + relativedelta(months=1, days=-1))

    @api.model
    def create(self, vals):
        if vals.get('state', 'open') != 'open' and not self._in_action():
            raise UserError(_('A billing period is created open; it is closed with "Close the period", which '
                              'carries the balances over to the next month.'))
        return super(NeoproPeriod, self).create(vals)

    @api.multi
    def write(self, vals):
        self._check_action_fields(vals)
        # a closed period changes only through its actions (reopening sets its state back)
        if not self._in_action() and any(not key.startswith(_CLOSED_WRITABLE) for key in vals):
            for period in self.filtered(lambda p: p.state == 'closed'):
                raise UserError(_('The period %s is closed and cannot be changed.') % period.name)
        return super(NeoproPeriod, self).write(vals)

    @api.multi
    def unlink(self):
        for period in self.filtered(lambda p: p.state == 'closed'):
            raise UserError(_('The period %s is closed and cannot be deleted.') % period.name)
        return super(NeoproPeriod, self).unlink()

    def _in_action(self):
        """Whether this call comes from the period's own actions (see _ACTION_TOKEN)."""
        return self.env.context.get(_ACTION_KEY) is _ACTION_TOKEN

    def _as_action(self):
        """These periods in the context of their own actions: state and dates may change."""
        return self.with_context(**{_ACTION_KEY: _ACTION_TOKEN})

    def _check_action_fields(self, vals):
        """Refuse a direct write of the state, or of the dates of a period that is closed or holds money."""
        if self._in_action() or not set(vals) & set(_ACTION_FIELDS):
            return
        if 'state' in vals:
            raise UserError(_('The state of a billing period changes only through its actions: "Close the period" '
                              'closes it, carries the balances over and opens the next month.'))
        for period in self:
            if period.state != 'open':
                raise UserError(_('The period %s is closed: its dates cannot be changed.') % period.name)
            if self.env['neopro.operation'].sudo().search_count([('period_id', '=', period.id)]) or \
                    self.env['neopro.balance'].sudo().search_count([('period_id', '=', period.id)]):
                raise UserError(_('The period %s has operations and balances: its dates can no longer be '
                                  'changed.') % period.name)

    @api.multi
    def action_calculate(self, date=None):
        """Charges and penalties of the open period for every account, up to ``date`` (default: period end).

        Re-runnable: it replaces its own lines of the period (never manual operations) and gives the same result
        on the same data.
        """
        self._calculate(date)
        return True

    @api.multi
    def _calculate(self, date=None):
        """Run the calculation (see action_calculate); returns its counts and step timings."""
        self.ensure_one()
        date = self._check_calculation_date(date)
        self._lock_calculation()
        started = time.time()
        counts = self.env['neopro.calculation']._run(self, date)
        refresh_start = time.time()
        self.env['neopro.operation']._refresh_balances(self)
        counts['timings'].append(('balances', time.time() - refresh_start))
        self.write({'date_calculated': date, 'calculated_at': fields.Datetime.now(),
                    'calculation_job_uuids': False})
        _logger.info('Period %s calculated up to %s in %.1f s: %s lines, %s penalties (%s)', self.name, date,
                     time.time() - started, counts['lines'], counts['penalties'],
                     ', '.join('%s %.2f s' % step for step in counts['timings']))
        # audit trail: who calculated the period, when, up to which day, with what result
        self.message_post(body=_('Calculated up to %s: %s charge lines, %s penalty lines.')
                          % (format_date(date), counts['lines'], counts['penalties']))
        if counts['untariffed']:
            self.message_post(body=_('%s charge lines have a volume but no tariff for their days: check the tariffs '
                                     'of their services and categories.') % counts['untariffed'])
        return counts

    @api.multi
    def _lock_calculation(self, shared=False):
        """Take the period's calculation lock for this transaction; refuse when another run holds it.

        A calculation (or a closing) holds it exclusively, so a second one started meanwhile is refused, not run
        twice; the background chunks of one calculation share it. Payments and readings booked meanwhile need
        no lock: the calculation replaces only its own lines, and PostgreSQL's repeatable-read snapshots make the
        one of two transactions that touch the same balance row retry (Odoo retries serialization failures).
        """
        self.ensure_one()
        # the calculation writes with SQL, which the ORM's access rights do not see: check them first
        self.check_access_rights('write')
        self.check_access_rule('write')
        if shared:
            self.env.cr.execute('SELECT pg_advisory_xact_lock_shared(%s, %s)', (_CALCULATION_LOCK, self.id))
            return
        self.env.cr.execute('SELECT pg_try_advisory_xact_lock(%s, %s)', (_CALCULATION_LOCK, self.id))
        if not self.env.cr.fetchone()[0]:
            raise UserError(_('The period %s is being calculated or closed right now by another user or a '
                              'background job: wait for it to finish, then try again.') % self.name)
        if self.calculation_state == 'running':
            raise UserError(_('The background calculation of the period %s is still running (%.0f %% done): wait '
                              'for it to finish, then try again.') % (self.name, self.calculation_progress))

    @api.multi
    def _check_calculation_date(self, date=None):
        """The calculation date (default: period end); refused outside the open period."""
        self.ensure_one()
        if self.state != 'open':
            raise UserError(_('The period %s is closed: it cannot be calculated again.') % self.name)
        date = date or self.date_end
        if not isinstance(date, str):
            date = fields.Date.to_string(date)
        if not self.date_start <= date <= self.date_end:
            raise UserError(_('The calculation date %s is outside the period %s (%s – %s).')
                            % (format_date(date), self.name, format_date(self.date_start),
                               format_date(self.date_end)))
        return date

    @api.multi
    def _get_calculation_chunks(self, size):
        """Account id ranges [(first id, last id)] splitting the accounts in chunks of about ``size``."""
        self.ensure_one()
        self.env.cr.execute("""
            SELECT MIN(id) FROM (SELECT id, (row_number() OVER (ORDER BY id) - 1) / %s AS chunk
                                   FROM neopro_account) c
          GROUP BY chunk ORDER BY chunk
        """, (size,))
        firsts = [row[0] for row in self.env.cr.fetchall()]
        # Chunks meet end to end, from 0 to the largest id: every account, even one created later, has one.
        chunks = []
        for index, first in enumerate(firsts):
            last = firsts[index + 1] - 1 if index + 1 < len(firsts) else 2 ** 31 - 1
            chunks.append((0 if index == 0 else first, last))
        return chunks

    @api.multi
    def _enqueue_calculation(self, date, size):
        """Run the calculation as background jobs of about ``size`` accounts each; returns the job uuids."""
        self.ensure_one()
        date = self._check_calculation_date(date)
        self._lock_calculation()
        uuids = []
        for id_range in self._get_calculation_chunks(size):
            delayed = self.with_delay(description=_('Calculate period %s: accounts %s–%s')
                                      % (self.name, id_range[0], id_range[1]))._calculate_chunk(date, list(id_range))
            uuids.append(getattr(delayed, 'uuid', ''))
        self.write({'date_calculated': date, 'calculated_at': fields.Datetime.now(),
                    'calculation_job_uuids': ' '.join(u for u in uuids if u) or False})
        return uuids

    @job(default_channel='root')
    @api.multi
    def _calculate_chunk(self, date, id_range):
        """Job: calculate the period for the accounts whose id lies in ``id_range``."""
        self.ensure_one()
        date = self._check_calculation_date(date)
        self._lock_calculation(shared=True)
        id_range = tuple(id_range)
        counts = self.env['neopro.calculation']._run(self, date, account_range=id_range)
        ids = self.env['neopro.account'].search([('id', '>=', id_range[0]), ('id', '<=', id_range[1])]).ids
        self.env['neopro.balance']._recompute(self, ids)
        return _('Accounts %s–%s: %s charge lines, %s penalties') % (id_range[0], id_range[1], counts['lines'],
                                                                     counts['penalties'])

    @api.multi
    def action_close(self):
        """Freeze the period and open the next month with the closing balances as opening balances."""
        self.ensure_one()
        if self.state != 'open':
            raise UserError(_('The period %s is closed already.') % self.name)
        early = not self.is_ended
        if early and not self._is_early_closing_confirmed():
            raise UserError(_('The period %s runs until %s: it can be closed from that day on. Closed now, it '
                              'would keep only what is charged so far and refuse every payment, reading and '
                              'correction dated up to %s. An administrator can still close it with the button '
                              '"Close before the month ends", which shows the consequences first.')
                            % (self.name, format_date(self.date_end), format_date(self.date_end)))
        self._lock_calculation()
        self.env['neopro.operation']._refresh_balances(self)
        self._as_action().write({'state': 'closed'})
        if early:
            self._post_early_closing()
        self._on_close()
        start = fields.Date.from_string(self.date_end) + relativedelta(days=1)
        if self.search_count([('date_start', '=', fields.Date.to_string(start))]):
            raise UserError(_('The period after %s exists already: close the periods in order.') % self.name)
        following = self.create({
            'date_start': fields.Date.to_string(start),
            'date_end': fields.Date.to_string(start + relativedelta(months=1, days=-1)),
        })
        self.env['neopro.balance']._carry_over(self, following)
        self.message_post(body=_('Period closed; the period %s is open.') % following.name)
        return {
            'type': 'ir.actions.act_window',
            'res_model': self._name,
            'res_id': following.id,
            'view_mode': 'form',
            'target': 'current',
        }

    @api.multi
    def action_close_early(self):
        """The dialog closing the period before its month has ended: the consequences, then a confirmation."""
        self.ensure_one()
        if not self.env.user.has_group('neopro_billing.group_administrator'):
            raise AccessError(_('Only an administrator can close a period before its month has ended.'))
        if self.state != 'open':
            raise UserError(_('The period %s is closed already.') % self.name)
        wizard = self.env['neopro.period.close'].create({'period_id': self.id})
        return {
            'type': 'ir.actions.act_window',
            'name': _('Close %s before the month ends') % self.name,
            'res_model': wizard._name,
            'res_id': wizard.id,
            'view_mode': 'form',
            'target': 'new',
        }

    @api.multi
    def action_reopen(self):
        """Open the last closed period again (administrators only), while nothing of it has gone to accounting.

        The next month, opened by the closing, is removed when it has no operations of its own (its calculated
        lines go with it); the period's operations and balances are editable again.
        """
        self.ensure_one()
        if not self.env.user.has_group('neopro_billing.group_administrator'):
            raise AccessError(_('Only an administrator can reopen a closed period.'))
        self._check_reopen()
        self._lock_calculation()  # one reopening (or closing) of it at a time
        following = self._get_next()
        following_name = following.name
        removed = following._remove_for_reopen() if following else 0
        self._as_action().write({'state': 'open'})
        self.env['neopro.operation']._refresh_balances(self)
        if following_name:
            body = _('Period reopened: its operations and balances can be changed again; the period %s, opened '
                     'by its closing, was removed with its %s calculated lines.') % (following_name, removed)
        else:
            body = _('Period reopened: its operations and balances can be changed again.')
        self.message_post(body=body)
        return True

    @api.model
    def _get_open_period(self):
        """The open billing period (empty recordset when none exists yet)."""
        return self.search([('state', '=', 'open')], limit=1)

    @api.multi
    def _get_next(self):
        """The period of the month after (empty when none)."""
        self.ensure_one()
        start = fields.Date.from_string(self.date_end) + relativedelta(days=1)
        return self.search([('date_start', '=', fields.Date.to_string(start))], limit=1)

    @api.multi
    def _get_previous(self):
        """The period of the month before (empty when none)."""
        self.ensure_one()
        start = fields.Date.from_string(self.date_start) - relativedelta(months=1)
        return self.search([('date_start', '=', fields.Date.to_string(start))], limit=1)

    @api.model
    def _demo_bill_past_months(self, months=3):
        """Demo data: the last ``months`` months calculated, paid and closed; the current month open, calculated.

        Most accounts pay their opening balance on the 10th; every fifth pays nothing (debtors, penalties).
        The demo utility works in Russian: the accounting jobs its closings queue write their documents in it.
        """
        if self.env['res.lang'].search_count([('code', '=', 'ru_RU')]):
            self = self.with_context(lang='ru_RU')  # pylint: disable=self-cls-assignment
        start = fields.Date.from_string(local_today(self)).replace(day=1) - relativedelta(months=months)
        period = self.create({'date_start': fields.Date.to_string(start),
                              'date_end': fields.Date.to_string(start + relativedelta(months=1, days=-1))})
        Operation = self.env['neopro.operation']
        cash = self.env.ref('neopro_billing.payment_source_cash')
        for _month in range(months):
            period.action_calculate()
            day = fields.Date.to_string(fields.Date.from_string(period.date_start) + relativedelta(days=9))
            balances = self.env['neopro.balance'].search([('period_id', '=', period.id), ('balance_start', '>', 0)],
                                                         order='id')
            for index, balance in enumerate(balances):
                if index % 5 != 4:
                    Operation.create({'operation_type': 'payment', 'amount': balance.balance_start, 'date': day,
                                      'period_id': period.id, 'account_id': balance.account_id.id,
                                      'payment_source_id': cash.id})
            period.action_calculate()
            period.action_close()
            period = self._get_open_period()
        period.action_calculate()
        return period

    def _on_close(self):
        """Extension point run after the period is closed (the accounting link posts its entries here)."""
        return True

    def _is_early_closing_confirmed(self):
        """Whether an administrator confirmed closing the period before its end (the early-closing dialog)."""
        return bool(self.env.context.get('neopro_close_before_end')) and \
            self.env.user.has_group('neopro_billing.group_administrator')

    def _post_early_closing(self):
        """Trace of a closing before the month's end: who, when, what was charged, what is refused from now."""
        self.ensure_one()
        today = local_today(self)
        totals = self._get_operation_totals()
        self.message_post(body=_('Closed before the end of its month, on %s, confirmed by %s: charged %s, '
                                 'penalties %s (calculated up to %s); readings and corrections dated %s – %s are '
                                 'refused from now on, payments paid on those days are booked in the next period.')
                          % (format_date(today), self.env.user.name, '%.2f' % totals['charge'],
                             '%.2f' % totals['penalty'], format_date(self.date_calculated) or _('never'),
                             format_date(today), format_date(self.date_end)))

    def _get_operation_totals(self):
        """``{operation type: total amount}`` of the period's ledger (every type present, 0.0 when none)."""
        self.ensure_one()
        totals = dict.fromkeys(('charge', 'payment', 'correction', 'penalty'), 0.0)
        for group in self.env['neopro.operation'].sudo().read_group(
                [('period_id', '=', self.id)], ['operation_type', 'amount'], ['operation_type']):
            totals[group['operation_type']] = round(group['amount'], 2)
        return totals

    def _check_reopen(self):
        """Refuse reopening this period unless it is the last closed one (the accounting link adds its check)."""
        self.ensure_one()
        if self.state != 'closed':
            raise UserError(_('The period %s is open: only a closed period can be reopened.') % self.name)
        following = self._get_next()
        if following.state == 'closed':
            raise UserError(_('Only the last closed period can be reopened: the period %s after it is closed, '
                              'reopen it first.') % following.name)
        if following:
            manual = self.env['neopro.operation'].sudo().search_count([('period_id', '=', following.id),
                                                                       ('is_auto', '=', False)])
            files = self.env['neopro.payment.file'].sudo().search([('period_id', '=', following.id)])
            if manual or files:
                raise UserError(_('The period %s cannot be reopened: the period %s opened by its closing has '
                                  'operations of its own (%s payments, corrections or manual charges, %s bank '
                                  'files). Book what is missing in %s instead, with corrections.')
                                % (self.name, following.name, manual, len(files), following.name))

    def _remove_for_reopen(self):
        """Delete this open period (the one after a period being reopened) with its calculated lines and its
        carried-over balances; returns the number of calculated lines deleted."""
        self.ensure_one()
        self._lock_calculation()
        # Its lines are all computed (checked by _check_reopen) and its balances derived from the ledger: neither
        # has an audit trail to keep, and both have a row per account (100 000 at scale): one statement each.
        self.env.cr.execute('DELETE FROM neopro_operation WHERE period_id = %s AND is_auto', (self.id,))
        removed = self.env.cr.rowcount
        self.env.cr.execute('DELETE FROM neopro_balance WHERE period_id = %s', (self.id,))
        self.env['neopro.operation'].invalidate_cache()
        self.env['neopro.balance'].invalidate_cache()
        # dialogs left open on it (a receipt wizard requires its period) go with it
        for model in self.env.registry.values():
            if model._transient:
                for field in model._fields.values():
                    if field.type == 'many2one' and field.comodel_name == self._name and field.store:
                        self.env[model._name].sudo().search([(field.name, '=', self.id)]).unlink()
        self.unlink()
        return removed

    @api.multi
    def action_send_receipts(self):
        """Send the receipts of this (open, calculated) period by e-mail, as background jobs (RULES §15)."""
        self.ensure_one()
        if self.state != 'open' or not self.date_calculated:
            raise UserError(_('Receipts of %s go out by e-mail after the calculation of the open period.')
                            % self.name)
        accounts = self.env['neopro.receipt.mail']._get_accounts_to_mail(self)
        # sudo: the job size is a setting of the administrators
        size = int(self.env['ir.config_parameter'].sudo().get_param('neopro_billing.receipt_mail_job_size') or 200)
        uuids = []
        for start in range(0, len(accounts), size):
            chunk = accounts[start:start + size]
            delayed = self.with_delay(description=_('Receipts of %s by e-mail: %s accounts')
                                      % (self.name, len(chunk)))._send_receipts_chunk(chunk.ids)
            uuids.append(getattr(delayed, 'uuid', ''))
        self.write({'receipt_mail_job_uuids': ' '.join(u for u in uuids if u) or False})
        self.message_post(body=_('Receipts by e-mail: %s accounts queued for sending.') % len(accounts))
        return True

    @job(default_channel='root')
    @api.multi
    def _send_receipts_chunk(self, account_ids):
        """Job: send the receipts of these accounts by e-mail."""
        self.ensure_one()
        accounts = self.env['neopro.account'].browse(account_ids).exists()
        sent, failed = self.env['neopro.receipt.mail']._send_receipts(self, accounts)
        return _('%s receipts queued for sending, %s failed') % (sent, failed)

    @api.multi
    def action_view_receipt_mails(self):
        """The receipts of the period sent by e-mail, failures first."""
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': _('Receipts by e-mail: %s') % self.name,
            'res_model': 'neopro.receipt.mail',
            'view_mode': 'tree,form',
            'domain': [('period_id', '=', self.id)],
            'context': {'search_default_failed': 1 if self.receipt_mail_failed_count else 0},
        }
