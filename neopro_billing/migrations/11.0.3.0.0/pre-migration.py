"""11.0.3.0.0: the subscribers' portal (RULES §15) keys its record rules on ``neopro.account.holder_partner_id``.

A stored computed field new to a table is computed by Odoo 11 one account at a time (an UPDATE each: 14 minutes on
the 100k database). Before the new models load, the column is created here and filled with one statement: the
contract's company for a contract's account; a subscriber has no contact yet (``neopro.subscriber.partner_id`` is
new too), so its account's partner stays empty until it is invited. Odoo then finds the column and keeps it.
"""
import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cr.execute("SELECT 1 FROM information_schema.columns "
               "WHERE table_name = 'neopro_account' AND column_name = 'holder_partner_id'")
    if cr.fetchone():
        return
    cr.execute('ALTER TABLE neopro_account ADD COLUMN holder_partner_id integer')
    cr.execute("""
        UPDATE neopro_account a SET holder_partner_id = c.partner_id
          FROM neopro_contract c WHERE c.account_id = a.id""")
    _logger.info('neopro_account.holder_partner_id filled for %s contract accounts', cr.rowcount)
