"""11.0.3.2.0: the accounts' pages keep room for the next version of their rows.

``neopro.account.init`` sets the table's fillfactor (and the update drops the indexes the fields no longer ask
for: the account number's duplicate of its unique constraint, the holder type, the closing balance, the balance's
account and the reading's meter, each the leading column of a unique index). The fillfactor holds for pages
written from now on; the rows written before are packed into full pages, so the table is rewritten once here
(CLUSTER on its primary key: 100,000 accounts in about a second, under the upgrade's lock).
"""
import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cr.execute('CLUSTER neopro_account USING neopro_account_pkey')
    cr.execute('ANALYZE neopro_account')
    _logger.info('neopro_account rewritten with room for updates in its pages')
