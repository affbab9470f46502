"""11.0.3.1.0: the shipped 1C statement format names its transaction id (RULES §14: the same document in two
overlapping statements is booked once).

The shipped formats are ``noupdate`` data (administrators adapt them): an upgrade does not rewrite them. The format
gets the transaction id column here only when nobody has set one, so an administrator's own choice stays.
"""
import logging

_logger = logging.getLogger(__name__)

TXN_COLUMNS = 'Номер+ДатаДокумента|Дата+ПлательщикБИН_ИИН|ПлательщикИИН|ПлательщикСчет|ПлательщикИИК'


def migrate(cr, version):
    if not version:
        return
    cr.execute("""
        UPDATE neopro_payment_format f SET column_txn = %s
          FROM ir_model_data d
         WHERE d.module = 'neopro_billing' AND d.name = 'payment_format_1c_statement'
           AND d.model = 'neopro.payment.format' AND d.res_id = f.id
           AND COALESCE(f.column_txn, '') = ''""", (TXN_COLUMNS,))
    _logger.info('1C statement format: transaction id column set on %s format(s)', cr.rowcount)
