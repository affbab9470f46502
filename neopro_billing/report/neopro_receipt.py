"""Receipt (квитанция) of an account for a billing period: the utility's requisites, the charges per service with
the meter readings, the billing line, the due date and a QR code that opens the utility's Kaspi payment page for
the account and the amount due (RULES §9, manual §4.2)."""
import base64
import io

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.neopro_guard_mixin import local_today

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
    SELECT o.account_id, o.metering_point_id, o.service_id, o.basis, o.volume, o.price, o.amount, o.name, o.id
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

# The receipt's labels, in Kazakh and Russian as Kazakh utilities print them: the document is bilingual in every
# interface language (the payer and the bank read it), so these are no interface strings to translate.
RECEIPT_LABELS = {
    'title': 'Шот-хабарлама / Счёт-извещение',
    'payee': 'Төлем алушы / Получатель',
    'bin': 'БСН / БИН',
    'iban': 'ЖСК / ИИК',
    'bank': 'Банк',
    'bic': 'БСК / БИК',
    'kbe': 'Кбе',
    'knp': 'ТМК / КНП',
    'address': 'Мекенжайы / Адрес',
    'phone': 'Телефон',
    'qr': 'Kaspi.kz қосымшасында сканерлеңіз / Отсканируйте в приложении Kaspi.kz',
    'account': 'Дербес шот / Лицевой счёт',
    'payer': 'Төлеуші / Плательщик',
    'contract': 'шарт / договор №',
    'buyer_bin': 'Төлеушінің БСН / БИН плательщика',
    'residents': 'Тұрғындар саны / Проживает',
    'period': 'Кезең / Период',
    'service': 'Қызмет / Услуга',
    'basis': 'Негіздеме / Основание',
    'meter': 'Есептегіш / Счётчик',
    'previous': 'Алдыңғы көрсеткіш / Предыдущее показание',
    'current': 'Ағымдағы көрсеткіш / Текущее показание',
    'volume': 'Көлемі, м³ / Объём, м³',
    'price': 'Тариф, ₸/м³',
    'amount': 'Сомасы / Сумма',
    'no_charges': 'Кезеңде есептеу жоқ / Начислений за период нет',
    'balance_start': 'Кезең басындағы сальдо / Сальдо на начало',
    'amount_paid': 'Төленді / Оплачено',
    'amount_charged': 'Есептелді / Начислено',
    'amount_correction': 'Түзету / Корректировка',
    'amount_penalty': 'Өсімпұл / Пеня',
    'balance_end': 'Кезең соңындағы сальдо / Сальдо на конец',
    'amount_due': 'Төлеуге / К оплате',
    'due_date': 'Төлеу мерзімі / Оплатить до',
    'vat': 'оның ішінде ҚҚС / в т.ч. НДС',
    'advance': 'Артық төлем / Переплата',
    'penalty_note': 'Төлем мерзімі өткеннен кейін өсімпұл есептеледі / '
                    'За просрочку оплаты со следующего дня после срока начисляется пеня',
}

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
        branch's bank account (or the company's first one), the beneficiary code (Кбе), the payment purpose code
        (КНП) and the VAT rate included in the tariffs (0: no VAT line)."""
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
            'kbe': company.neopro_kbe or '',
            'knp': company.neopro_knp or '',
            'vat_rate': company.neopro_vat_rate or 0.0,
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
                  'd2': period.date_end, 'today': local_today(self)}
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
        operations = self.env['neopro.operation'].browse([row[-1] for rows in charges.values() for row in rows])
        due_date = self._get_due_date(period)
        payees = {}
        receipts = []
        for account in accounts:
            account_id = account.account_id.id
            lines = []
            listed = set()  # the meters of a metering point or service show on its first line only
            for point_id, service_id, basis, volume, price, amount, name, op_id in charges.get(account_id, []):
                service = services.get(service_id)
                key = (account_id, point_id) if point_id else (account_id, service_id)
                lines.append({
                    'service': service.name if service else (name or _('Charge')),
                    'basis': bases.get(basis, ''),
                    'meters': [] if key in listed else meters.get(key, []),
                    # a manual line has no volume and tariff of its own: it shows its amount only
                    'volume': volume or None, 'price': price or None, 'amount': amount,
                    # RULES §12: the reversal, the bands, the proration and the absence behind the line
                    'note': '; '.join(operations.browse(op_id)._get_basis_details()),
                })
                listed.add(key)
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
            receipt['vat'] = self._get_vat(receipt)
            receipt['qr_payload'] = self._get_qr_payload(account, receipt)
            receipt['qr_image'] = self._get_qr_image(receipt['qr_payload']) if receipt['qr_payload'] else False
            receipts.append(receipt)
        return receipts

    @api.model
    def _get_account_info(self, account):
        """Account number, payer, address and residents of a subscriber or a contract (the holder's own)."""
        return account._get_receipt_info()

    @api.model
    def _get_vat(self, receipt):
        """The VAT included in the period's charges (tariffs include it), printed for legal entities; False for
        residents and when the company's VAT rate is 0."""
        rate = receipt['payee']['vat_rate']
        if not (receipt['vat_payer'] and rate):
            return False
        charged = receipt['figures']['amount_charged']
        return {'rate': rate, 'amount': round(charged * rate / (100.0 + rate), 2)}

    # QR code -------------------------------------------------------------------------------------------------------

    @api.model
    def _get_qr_payload(self, account, receipt):
        """What the QR code holds: the Kaspi link of the utility's payment page for the account and the amount due
        (``neopro.account._get_kaspi_pay_url``); False (no QR code) while the Kaspi settings are not filled in."""
        return account.account_id._get_kaspi_pay_url(receipt['amount_due'])

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
            'labels': RECEIPT_LABELS,
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
