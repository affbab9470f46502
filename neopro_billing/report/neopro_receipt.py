"""Receipt (квитанция) of an account for a billing period: the utility's requisites, the charges per service with
the meter readings, the billing line, the due date and a QR code with the payment data (RULES §9, manual §4.2)."""
import base64
import io
from decimal import ROUND_HALF_UP, Decimal

from odoo import _, api, fields, models
from odoo.exceptions import UserError

try:
    import qrcode
    from PIL import Image
except ImportError:  # pragma: no cover - both are pinned in requirements.txt
    qrcode = Image = None

# Size of a QR module in the PNG, in pixels, and of the quiet zone around the code, in modules.
QR_BOX_SIZE = 3
QR_BORDER = 2

_BALANCE_SQL = """
    SELECT account_id, balance_start, amount_paid, amount_charged, amount_correction, amount_penalty, balance_end
      FROM neopro_balance
     WHERE period_id = %(period)s AND account_id = ANY(%(ids)s)
"""

_CHARGE_SQL = """
    SELECT o.account_id, o.metering_point_id, o.service_id, o.basis, o.volume, o.price, o.amount, o.name
      FROM neopro_operation o
 LEFT JOIN neopro_service s ON s.id = o.service_id
     WHERE o.period_id = %(period)s AND o.operation_type = 'charge' AND o.account_id = ANY(%(ids)s)
  ORDER BY o.account_id, s.sequence, s.id, o.metering_point_id, o.id
"""

# Meters in service on the receipt's day (the period's last day, today for the open period: a meter removed by then
# is not shown), with their last reading before the period and their last reading in it.
_METER_SQL = """
    SELECT m.account_id, m.metering_point_id, m.service_id, m.serial_number, COALESCE(m.initial_value, 0),
           prev.value, cur.value
      FROM neopro_meter m
 LEFT JOIN LATERAL (SELECT r.value FROM neopro_meter_reading r WHERE r.meter_id = m.id AND r.date < %(d1)s
                     ORDER BY r.date DESC, r.id DESC LIMIT 1) prev ON TRUE
 LEFT JOIN LATERAL (SELECT r.value FROM neopro_meter_reading r
                     WHERE r.meter_id = m.id AND r.date BETWEEN %(d1)s AND %(d2)s
                     ORDER BY r.date DESC, r.id DESC LIMIT 1) cur ON TRUE
     WHERE m.account_id = ANY(%(ids)s)
       AND (m.removal_date IS NULL AND m.active OR m.removal_date > LEAST(%(d2)s::date, %(today)s::date))
       AND (m.installation_date IS NULL OR m.installation_date <= %(d2)s)
  ORDER BY m.serial_number
"""

BALANCE_FIGURES = ('balance_start', 'amount_paid', 'amount_charged', 'amount_correction', 'amount_penalty',
                   'balance_end')


class NeoproReceipt(models.AbstractModel):
    """What a receipt shows, for many accounts at once (a few queries, whatever their number)."""
    _name = 'neopro.receipt'
    _description = 'Receipt data'

    @api.model
    def _get_period(self, period_id=None):
        """The period of the receipts: the given one, else the open period."""
        period = self.env['neopro.period'].browse(period_id) if period_id else \
            self.env['neopro.period']._get_open_period()
        if not period:
            raise UserError(_('There is no open billing period to print receipts for.'))
        return period

    @api.model
    def _get_due_date(self, period):
        """Pay-by date of the period's receipt: the penalty due day of the next month (RULES §6)."""
        Calculation = self.env['neopro.calculation']
        return fields.Date.to_string(Calculation._get_due_date(
            fields.Date.from_string(period.date_start), Calculation._get_penalty_settings().due_day))

    @api.model
    def _get_payee(self, branch):
        """Requisites of the utility for the accounts of ``branch``: company name, BIN, address, phone; the
        branch's bank account (or the company's first one)."""
        company = self.env.user.company_id
        bank_account = company.partner_id.bank_ids[:1]
        bank = branch.bank_id or bank_account.bank_id
        address = ', '.join(part for part in (company.zip, company.city, company.street, company.street2) if part)
        return {
            'name': company.name,
            'branch': branch.name or '',
            'bin': branch.bin or company.vat or '',
            'address': branch.address or address,
            'phone': branch.phone or company.phone or '',
            'iban': branch.bank_account or bank_account.acc_number or '',
            'bank': bank.name or '',
            'bic': bank.bic or '',
        }

    @api.model
    def _get_receipts(self, accounts, period):
        """The receipts of ``accounts`` (subscribers or contracts, in their order) for ``period``, as dicts."""
        if not accounts:
            return []
        self.env['neopro.balance'].check_access_rights('read')
        self.env['neopro.operation'].check_access_rights('read')
        accounts.check_access_rule('read')  # the figures below are read by SQL, past the record rules
        params = {'period': period.id, 'ids': accounts.mapped('account_id').ids, 'd1': period.date_start,
                  'd2': period.date_end, 'today': fields.Date.context_today(self)}
        cr = self.env.cr
        cr.execute(_BALANCE_SQL, params)
        balances = {row[0]: dict(zip(BALANCE_FIGURES, row[1:])) for row in cr.fetchall()}
        cr.execute(_CHARGE_SQL, params)
        charges = {}
        for row in cr.fetchall():
            charges.setdefault(row[0], []).append(row[1:])
        cr.execute(_METER_SQL, params)
        meters = {}
        for account_id, point_id, service_id, serial, initial, previous, current in cr.fetchall():
            key = (account_id, point_id) if point_id else (account_id, service_id)
            meters.setdefault(key, []).append({
                'serial': serial, 'previous': previous if previous is not None else initial, 'current': current})
        services = {s.id: s for s in self.env['neopro.service'].with_context(active_test=False).search([])}
        bases = dict(self.env['neopro.operation']._fields['basis']._description_selection(self.env))
        due_date = self._get_due_date(period)
        payees = {}
        receipts = []
        for account in accounts:
            account_id = account.account_id.id
            lines = []
            for point_id, service_id, basis, volume, price, amount, name in charges.get(account_id, []):
                service = services.get(service_id)
                lines.append({
                    'service': service.name if service else (name or _('Charge')),
                    'basis': bases.get(basis, ''),
                    'meters': meters.get((account_id, point_id) if point_id else (account_id, service_id), []),
                    'volume': volume or 0.0, 'price': price or 0.0, 'amount': amount,
                })
            figures = {key: float(value) for key, value in balances.get(account_id, dict.fromkeys(
                BALANCE_FIGURES, 0.0)).items()}
            branch = account.branch_id
            if branch.id not in payees:
                payees[branch.id] = self._get_payee(branch)
            receipt = dict(self._get_account_info(account), **{
                'period': period.name,
                'payee': payees[branch.id],
                'lines': lines,
                'figures': figures,
                'amount_due': max(figures['balance_end'], 0.0),
                'due_date': due_date,
            })
            receipt['qr_payload'] = self._get_qr_payload(receipt)
            receipt['qr_image'] = self._get_qr_image(receipt['qr_payload'])
            receipts.append(receipt)
        return receipts

    @api.model
    def _get_account_info(self, account):
        """Account number, payer, address and residents of a subscriber or a contract (the holder's own)."""
        return account._get_receipt_info()

    # QR code -------------------------------------------------------------------------------------------------------

    @api.model
    def _get_qr_payload(self, receipt):
        """The payment data of a receipt for banking apps, in the GOST R 56042 key=value format.

        ``ST00012`` (format ST, version 0001, encoding 2 = UTF-8), then ``|``-separated fields: Name (payee),
        PersonalAcc (IBAN), BankName, BIC, CorrespAcc (0: none in Kazakhstan), PayeeINN (the payee's BIN),
        Purpose, PersAcc (the account number ЛС), Sum (the amount due in tiyn), PaymPeriod (MM.YYYY).
        """
        payee = receipt['payee']
        amount = Decimal(repr(receipt['amount_due'])).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)
        fields_ = [
            ('Name', payee['name']),
            ('PersonalAcc', payee['iban']),
            ('BankName', payee['bank']),
            ('BIC', payee['bic']),
            ('CorrespAcc', '0'),
            ('PayeeINN', payee['bin']),
            ('Purpose', _('Water supply and sewage, account %s, period %s')
             % (receipt['account_number'], receipt['period'])),
            ('PersAcc', receipt['account_number']),
            ('Sum', str(int(amount * 100))),
            ('PaymPeriod', receipt['period']),
        ]
        return 'ST00012|' + '|'.join('%s=%s' % (key, self._clean_qr_value(value)) for key, value in fields_)

    @api.model
    def _clean_qr_value(self, value):
        """A field value without the separator and line breaks."""
        return ' '.join(str(value or '').replace('|', ' ').split())

    @api.model
    def _get_qr_code(self, payload):
        """The QR code of ``payload`` (UTF-8, error correction M, smallest version that fits)."""
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QR_BORDER)
        code.add_data(payload.encode('utf-8'))
        code.make(fit=True)
        return code

    @api.model
    def _get_qr_image(self, payload):
        """A PNG of the QR code of ``payload``, base64 encoded (black modules of QR_BOX_SIZE pixels)."""
        matrix = self._get_qr_code(payload).get_matrix()
        size = len(matrix)
        pixels = bytes(0 if dark else 255 for row in matrix for dark in row)
        image = Image.frombytes('L', (size, size), pixels).resize(
            (size * QR_BOX_SIZE, size * QR_BOX_SIZE), Image.NEAREST).convert('1')
        buffer = io.BytesIO()
        image.save(buffer, 'PNG')
        return base64.b64encode(buffer.getvalue()).decode('ascii')


class ReportReceipt(models.AbstractModel):
    """Receipts of subscribers (the Receipt button, the Print menu of the list)."""
    _name = 'report.neopro_billing.report_receipt'
    _description = 'Receipt of subscribers'
    _account_model = 'neopro.subscriber'

    @api.model
    def get_report_values(self, docids, data=None):
        accounts, period = self._get_accounts(docids, data or {})
        return {
            'doc_ids': docids,
            'doc_model': self._account_model,
            'docs': accounts,
            'receipts': self.env['neopro.receipt']._get_receipts(accounts, period),
            'currency': self.env.user.company_id.currency_id,
        }

    @api.model
    def _get_accounts(self, docids, data):
        """The accounts and the period printed (the period of ``data``, else the open one)."""
        return self.env[self._account_model].browse(docids), \
            self.env['neopro.receipt']._get_period(data.get('period_id'))


class ReportReceiptContract(models.AbstractModel):
    """Receipts of legal-entity contracts."""
    _name = 'report.neopro_billing.report_receipt_contract'
    _inherit = 'report.neopro_billing.report_receipt'
    _description = 'Receipt of contracts'
    _account_model = 'neopro.contract'


class ReportReceiptBatch(models.AbstractModel):
    """Receipts of the accounts chosen in the Print receipts wizard, in one PDF."""
    _name = 'report.neopro_billing.report_receipt_batch'
    _inherit = 'report.neopro_billing.report_receipt'
    _description = 'Receipts of a branch, street or house'
    _account_model = 'neopro.receipt.wizard'

    @api.model
    def _get_accounts(self, docids, data):
        wizard = self.env['neopro.receipt.wizard'].browse(docids[:1])
        return wizard._get_accounts(), wizard.period_id
