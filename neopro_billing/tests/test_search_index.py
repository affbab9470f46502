from odoo.tests.common import TransactionCase


class TestSearchIndex(TransactionCase):
    """The searches operators run on 100 000 accounts can be answered from indexes, not by reading the table.

    With sequential scans priced out (``enable_seqscan = off``), PostgreSQL still reads the table when no index can
    serve a condition: the plan names the index that serves it, or shows the table scan.
    """

    def _plan(self, model, domain):
        """PostgreSQL's plan of the SQL Odoo generates for ``domain`` on ``model`` (without ordering)."""
        query = self.env[model]._where_calc(domain)
        from_clause, where_clause, params = query.get_sql()
        self.env.cr.execute('SET LOCAL enable_seqscan = off')
        self.env.cr.execute('EXPLAIN SELECT 1 FROM %s WHERE %s' % (from_clause, where_clause), params)
        return '\n'.join(row[0] for row in self.env.cr.fetchall())

    def test_account_number_prefix_uses_index(self):
        plan = self._plan('neopro.account', [('account_number', '=like', '00154%')])
        self.assertIn('neopro_account_account_number_prefix_index', plan)
        self.assertIn('~>=~', plan, 'the prefix is an index range, not a filter')

    def test_quick_search_combines_indexes(self):
        # a text that is also the prefix of an account number: the accounts found by the prefix index join the
        # bitmap OR through the subscribers' account index
        number = self.env['neopro.subscriber'].search([], limit=1).account_number
        self.assertTrue(number)
        # On the demo's dozen rows the planner would rather read all of the partial index of active subscribers
        # (there for the lists' count) than combine the conditions' indexes; at 100 000 rows it combines them
        # (bench/bench_scale.py: 10 ms). Without it, the plan shows which indexes serve the search box.
        self.env.cr.execute('DROP INDEX neopro_subscriber_active_account_index')
        domain = self.env['neopro.subscriber']._get_quick_search_domain(number)
        plan = self._plan('neopro.subscriber', domain)
        for index in ('neopro_subscriber_account_unique', 'neopro_subscriber_name_trgm_index',
                      'neopro_subscriber_address_trgm_index'):
            self.assertIn(index, plan)
        self.assertNotIn('Seq Scan on neopro_subscriber', plan)

    def test_meter_serial_prefix_uses_index(self):
        plan = self._plan('neopro.meter', [('serial_number', '=like', 'S0001%')])
        self.assertIn('neopro_meter_serial_number_prefix_index', plan)
        self.assertIn('~>=~', plan)

    def test_meter_seal_prefix_uses_index(self):
        plan = self._plan('neopro.meter', [('seal_number', '=like', 'P12%')])
        self.assertIn('neopro_meter_seal_number_prefix_index', plan)
        self.assertIn('~>=~', plan)
