#!/usr/bin/env python3
"""Generate a realistic NeoPro Billing database for benchmarks, with bulk parameterised SQL.

    .venv/bin/python bench/generate.py --db billing_bench            # 100 000 subscribers, 2 000 contracts
    .venv/bin/python bench/generate.py --db small --subscribers 2000 --contracts 50 --drop

What it builds (deterministic: the same sizes give the same data):
- 5 branches, a residential and a legal-entity category, norms, tariffs for the 3 services that change on the 16th
  of the open month, National Bank rates (two changes in the open months);
- the address registry (50 apartments a house) and the subscribers, all with cold water, hot water and sewage
  (0.5 % have hot water connected on the 11th of the open month, 0.5 % sewage disconnected after the 20th);
- cold and hot meters for 60 % of the subscribers with a reading each month over ``--months`` months ending with
  the open month (10 % miss the open month's reading → average; 1 % are overdue for verification → norm;
  0.1 % roll over past 99 999);
- contractors with one contract each and ``--points`` metering points (2 cold and 1 hot metered, 1 cold with a
  fixed volume, 1 sewage);
- ``--history`` closed months calculated by the billing engine itself (closed without posting to accounting),
  with bank payments (90 % pay in time, 5 % late, 3 % half, 2 % nothing), then the open month with the payments
  of the month before and its readings: ready for ``action_calculate`` (bench/bench_calculate.py).

The database is created from the cached template of bin/test (or from scratch) with neopro_billing installed
without demo data. Reusable by other benchmarks: ``generate(env, sizes)`` works on any empty database.
"""
import argparse
import datetime
import os
import subprocess
import sys
import time

from dateutil.relativedelta import relativedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONF = os.path.join(ROOT, '.local', 'odoo.conf')

SURNAMES = ['Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Васильев', 'Петров', 'Соколов', 'Михайлов', 'Новиков',
            'Федоров', 'Морозов', 'Волков', 'Алексеев', 'Лебедев', 'Семенов', 'Егоров', 'Павлов', 'Козлов',
            'Степанов', 'Николаев', 'Ахметов', 'Омаров', 'Садыков', 'Жумабаев', 'Касымов', 'Нурланов']
NAMES = ['Александр', 'Сергей', 'Дмитрий', 'Андрей', 'Алексей', 'Максим', 'Евгений', 'Иван', 'Михаил', 'Артем',
         'Нурлан', 'Ержан', 'Асхат', 'Данияр', 'Руслан', 'Марат', 'Тимур', 'Арман', 'Бауыржан', 'Серик']
PATRONYMICS = ['Александрович', 'Сергеевич', 'Дмитриевич', 'Андреевич', 'Алексеевич', 'Иванович', 'Петрович',
               'Нурланович', 'Маратович', 'Серикович']
STREETS = ['Абая', 'Достык', 'Сатпаева', 'Толе би', 'Жандосова', 'Гагарина', 'Назарбаева', 'Тимирязева',
           'Розыбакиева', 'Байтурсынова', 'Фурманова', 'Желтоксан', 'Муканова', 'Шевченко', 'Кабанбай батыра']


def log(message, *args):
    print('[%s] %s' % (time.strftime('%H:%M:%S'), message % args), flush=True)


def create_database(db):
    """A new database with neopro_billing installed (no demo data), cloned from bin/test's template if possible."""
    template = subprocess.run(['bash', '-c', 'source "%s/bin/lib.sh"; ensure_all >/dev/null; ensure_template' % ROOT],
                              stdout=subprocess.PIPE, check=True).stdout.decode().strip().splitlines()[-1]
    for _attempt in range(10):  # the template is busy while another run clones it
        if subprocess.run(['createdb', '-T', template, db]).returncode == 0:
            break
        time.sleep(3)
    else:
        sys.exit('could not clone %s into %s' % (template, db))
    log('installing neopro_billing into %s', db)
    subprocess.run([os.path.join(ROOT, 'bin', 'odoo'), '-c', CONF, '-d', db, '-i', 'neopro_billing',
                    '--without-demo=all', '--stop-after-init', '--log-level=warn', '--http-port=0'], check=True)


def analyze(cr, *tables):
    """Statistics of freshly filled tables, so the next statements get sane plans."""
    for table in tables:
        # the callers name tables of this file's own SQL (constants), never input
        cr.execute('ANALYZE %s' % table)  # pylint: disable=sql-injection


def month_start(text):
    return datetime.datetime.strptime(text, '%Y-%m').date()


def generate(env, subscribers=100000, contracts=2000, points=5, months=6, history=2, open_month='2026-10'):
    """Fill an empty billing database; return the open period."""
    cr = env.cr
    cr.execute('SELECT count(*) FROM neopro_subscriber')
    if cr.fetchone()[0]:
        sys.exit('the database has subscribers already: generate into an empty one (use --drop)')
    opened = month_start(open_month)
    first = opened - relativedelta(months=months - 1)
    change = opened.replace(day=16)
    uid = env.uid
    cold, hot, sewage = (env.ref('neopro_billing.service_%s' % code) for code in ('cold_water', 'hot_water', 'sewage'))

    # Reference data ----------------------------------------------------------------------------------------------
    Branch = env['neopro.branch']
    branches = [Branch.create({'name': 'Филиал %s' % i, 'code': 'F%s' % i}).id for i in range(1, 6)]
    residents = env['neopro.subscriber.category'].create({'name': 'Бытовые абоненты', 'code': 'BS'})
    legal = env['neopro.subscriber.category'].create({'name': 'Юридические лица', 'code': 'LE',
                                                      'legal_entity': True})
    amenity = env['neopro.amenity.level'].create({'name': 'Полное благоустройство'})
    for service, volume in ((cold, 4.5), (hot, 3.2), (sewage, 7.7)):
        env['neopro.norm'].create({'service_id': service.id, 'amenity_level_id': amenity.id, 'volume': volume,
                                   'date_from': '2015-01-01'})
    prices = {(residents, cold): (120.50, 131.25), (residents, hot): (310.00, 335.75),
              (residents, sewage): (85.40, 92.10), (legal, cold): (250.00, 270.00), (legal, hot): (520.00, 560.00),
              (legal, sewage): (140.00, 150.00)}
    Tariff = env['neopro.tariff']
    for (category, service), (old, new) in prices.items():
        Tariff.create({'service_id': service.id, 'category_id': category.id, 'price': old, 'date_from': '2015-01-01',
                       'date_to': str(change - relativedelta(days=1))})
        Tariff.create({'service_id': service.id, 'category_id': category.id, 'price': new, 'date_from': str(change)})
    env['neopro.penalty.rate'].search([]).unlink()
    for date_from, rate in (('2015-01-01', 13.5), (str(opened - relativedelta(days=16)), 14.25),
                            (str(opened.replace(day=10)), 15.0)):
        env['neopro.penalty.rate'].create({'date_from': date_from, 'rate': rate})
    bank = env['res.bank'].create({'name': 'Kaspi Bank', 'bic': 'CASPKZKA'})
    source = env.ref('neopro_billing.payment_source_bank')
    log('reference data')

    # Addresses and subscribers -----------------------------------------------------------------------------------
    houses = (subscribers + 49) // 50
    city = env['neopro.city'].create({'name': 'Алматы'})
    cr.execute("""
        INSERT INTO neopro_street (name, city_id, active, create_uid, create_date, write_uid, write_date)
        SELECT 'ул. ' || s.name || CASE WHEN g > 1 THEN ' ' || g ELSE '' END, %(city)s, TRUE,
               %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
          FROM unnest(%(streets)s::varchar[]) s(name), generate_series(1, 4) g
    """, {'city': city.id, 'uid': uid, 'streets': STREETS})
    cr.execute("""
        INSERT INTO neopro_house (street_id, city_id, number, full_address, branch_id, active,
                                  create_uid, create_date, write_uid, write_date)
        SELECT st.id, st.city_id, (h / 60 + 1)::varchar, 'Алматы, ' || st.name || ', ' || (h / 60 + 1),
               (%(branches)s::int[])[h %% 5 + 1], TRUE, %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s,
               now() AT TIME ZONE 'UTC'
          FROM generate_series(0, %(houses)s - 1) h
          JOIN (SELECT id, city_id, name, row_number() OVER (ORDER BY id) - 1 AS n FROM neopro_street) st
            ON st.n = h %% 60
    """, {'houses': houses, 'branches': branches, 'uid': uid})
    cr.execute("""
        INSERT INTO neopro_premise (house_id, number, sequence, full_address, active,
                                    create_uid, create_date, write_uid, write_date)
        SELECT h.id, a::varchar, a, h.full_address || ', ' || a, TRUE,
               %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
          FROM neopro_house h, generate_series(1, 50) a
    """, {'uid': uid})
    analyze(cr, 'neopro_street', 'neopro_house', 'neopro_premise')
    # Each subscriber is a personal account (neopro.account): the accounts first, then their subscribers.
    cr.execute("""
        CREATE TEMP TABLE gen_subscriber AS
        SELECT lpad((100000 + p.n)::varchar, 8, '0') AS account_number, sn, fn, pn,
               sn || ' ' || fn || ' ' || pn AS name,
               p.house_id, p.id AS premise_id, p.full_address, 1 + abs(hashint4(p.n)) %% 5 AS residents,
               h.branch_id, CASE WHEN p.n %% 10 < 6 THEN 2 ELSE 0 END AS meter_count
          FROM (SELECT id, house_id, full_address, (row_number() OVER (ORDER BY id))::int AS n FROM neopro_premise) p
          JOIN neopro_house h ON h.id = p.house_id,
               LATERAL (SELECT (%(surnames)s::varchar[])[1 + p.n %% %(ns)s] AS sn,
                               (%(names)s::varchar[])[1 + (p.n / 7) %% %(nf)s] AS fn,
                               (%(patronymics)s::varchar[])[1 + (p.n / 3) %% %(np)s] AS pn) names
         WHERE p.n <= %(subscribers)s;
        INSERT INTO neopro_account (account_number, holder_type, branch_id, holder_name, payer_name, holder_address,
                                    holder_active, balance_start, amount_paid, amount_charged, amount_correction,
                                    amount_penalty, balance_end, create_uid, create_date, write_uid, write_date)
        SELECT account_number, 'subscriber', branch_id, name, name, full_address, TRUE, 0, 0, 0, 0, 0, 0,
               %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
          FROM gen_subscriber ORDER BY account_number;
        INSERT INTO neopro_subscriber (account_id, last_name, first_name, patronymic, name, house_id, premise_id,
                                       address, residents, category_id, amenity_level_id, active,
                                       meter_count, court_case, create_uid, create_date, write_uid, write_date)
        SELECT a.id, g.sn, g.fn, g.pn, g.name, g.house_id, g.premise_id, g.full_address, g.residents,
               %(category)s, %(amenity)s, TRUE, g.meter_count, FALSE,
               %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
          FROM gen_subscriber g JOIN neopro_account a ON a.account_number = g.account_number
      ORDER BY a.id;
        DROP TABLE gen_subscriber
    """, {'category': residents.id, 'amenity': amenity.id, 'uid': uid, 'subscribers': subscribers,
          'surnames': SURNAMES, 'names': NAMES, 'patronymics': PATRONYMICS, 'ns': len(SURNAMES),
          'nf': len(NAMES), 'np': len(PATRONYMICS)})
    analyze(cr, 'neopro_subscriber')
    cr.execute("""
        INSERT INTO neopro_service_connection (subscriber_id, branch_id, service_id, date_start, date_end,
                                               create_uid, create_date, write_uid, write_date)
        SELECT s.id, a.branch_id, v.id,
               CASE WHEN v.id = %(hot)s AND s.id %% 200 = 1 THEN %(connect)s END,
               CASE WHEN v.id = %(sewage)s AND s.id %% 200 = 2 THEN %(disconnect)s END,
               %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
          FROM neopro_subscriber s JOIN neopro_account a ON a.id = s.account_id, neopro_service v
    """, {'hot': hot.id, 'sewage': sewage.id, 'connect': opened.replace(day=11), 'disconnect': opened.replace(day=20),
          'uid': uid})
    log('%s subscribers in %s houses, %s connections', subscribers, houses, 3 * subscribers)

    # Contractors, contracts, metering points --------------------------------------------------------------------
    cr.execute("""
        INSERT INTO res_partner (name, display_name, is_company, active, type, customer, supplier, employee,
                                 company_id, invoice_warn, neopro_is_contractor, neopro_branch_id,
                                 neopro_account_number, neopro_legal_address, lang, color,
                                 create_uid, create_date, write_uid, write_date)
        SELECT 'ТОО «Предприятие ' || g || '»', 'ТОО «Предприятие ' || g || '»', TRUE, TRUE, 'contact', TRUE,
               FALSE, FALSE, 1, 'no-message', TRUE, (%(branches)s::int[])[g %% 5 + 1], 'K' || lpad(g::varchar, 6, '0'),
               'Алматы, пр. Абая, ' || g, 'ru_RU', 0, %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s,
               now() AT TIME ZONE 'UTC'
          FROM generate_series(1, %(contracts)s) g
    """, {'branches': branches, 'contracts': contracts, 'uid': uid})
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE neopro_is_contractor AND "
               "commercial_partner_id IS NULL")
    cr.execute("""
        INSERT INTO neopro_account (account_number, holder_type, branch_id, holder_name, payer_name, holder_address,
                                    holder_active, balance_start, amount_paid, amount_charged, amount_correction,
                                    amount_penalty, balance_end, create_uid, create_date, write_uid, write_date)
        SELECT '9' || lpad(p.id::varchar, 7, '0'), 'contract', p.neopro_branch_id, p.name || ' № Д-' || p.id, p.name,
               p.neopro_address, TRUE, 0, 0, 0, 0, 0, 0,
               %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
          FROM res_partner p WHERE p.neopro_is_contractor ORDER BY p.id;
        INSERT INTO neopro_contract (name, account_id, partner_id, date, state, category_id, active,
                                     create_uid, create_date, write_uid, write_date)
        SELECT 'Д-' || p.id, a.id, p.id, '2020-01-01', 'active', %(category)s, TRUE,
               %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
          FROM res_partner p JOIN neopro_account a ON a.account_number = '9' || lpad(p.id::varchar, 7, '0')
         WHERE p.neopro_is_contractor ORDER BY p.id
    """, {'category': legal.id, 'uid': uid})
    analyze(cr, 'res_partner', 'neopro_contract')
    # Points 1–2 cold metered, 3 hot metered, 4 cold with a fixed volume, 5 sewage (then cold metered again).
    cr.execute("""
        INSERT INTO neopro_metering_point (name, contract_id, branch_id, service_id, volume, active,
                                           create_uid, create_date, write_uid, write_date)
        SELECT 'Точка ' || k, c.id, a.branch_id,
               CASE k WHEN 3 THEN %(hot)s WHEN 5 THEN %(sewage)s ELSE %(cold)s END,
               CASE WHEN k = 4 THEN 20 + abs(hashint4(c.id)) %% 80 ELSE 0 END, TRUE,
               %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
          FROM neopro_contract c JOIN neopro_account a ON a.id = c.account_id, generate_series(1, %(points)s) k
    """, {'cold': cold.id, 'hot': hot.id, 'sewage': sewage.id, 'points': points, 'uid': uid})
    analyze(cr, 'neopro_metering_point', 'neopro_service_connection')
    log('%s contracts with %s metering points each', contracts, points)

    # Meters and readings ----------------------------------------------------------------------------------------
    meter_columns = """serial_number, service_id, digits, initial_value, installation_date, verification_date,
                       verification_interval, next_verification_date, active, is_remote, is_virtual,
                       is_common_house, in_shaft, subscriber_id, metering_point_id, contract_id, account_id, branch_id,
                       owner_name, address, create_uid, create_date, write_uid, write_date"""
    cr.execute("""
        INSERT INTO neopro_meter (""" + meter_columns + """)
        SELECT 'S' || lpad((s.id * 2 + CASE WHEN v.id = %(hot)s THEN 1 ELSE 0 END)::varchar, 9, '0'), v.id, 5,
               CASE WHEN s.id %% 1000 = 7 THEN 99980 ELSE abs(hashint4(s.id * 3 + v.id)) %% 50000 END,
               '2019-06-01', vd, 48, (vd + interval '48 months')::date, TRUE, FALSE, FALSE, FALSE, FALSE,
               s.id, NULL, NULL, a.id, a.branch_id, s.name, s.address,
               %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
          FROM neopro_subscriber s
          JOIN neopro_account a ON a.id = s.account_id
          JOIN neopro_service v ON v.id IN (%(cold)s, %(hot)s),
               LATERAL (SELECT CASE WHEN s.id %% 100 = 3 THEN DATE '2018-01-01' ELSE DATE '2024-01-01' END AS vd) d
         WHERE s.meter_count = 2
    """, {'cold': cold.id, 'hot': hot.id, 'uid': uid})
    cr.execute("""
        INSERT INTO neopro_meter (""" + meter_columns + """)
        SELECT 'L' || lpad(p.id::varchar, 9, '0'), p.service_id, 6, abs(hashint4(p.id)) %% 300000, '2019-06-01',
               DATE '2024-01-01', 48, DATE '2028-01-01', TRUE, FALSE, FALSE, FALSE, FALSE,
               NULL, p.id, p.contract_id, c.account_id, p.branch_id, r.name, r.neopro_legal_address,
               %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
          FROM neopro_metering_point p
          JOIN neopro_contract c ON c.id = p.contract_id
          JOIN res_partner r ON r.id = c.partner_id
         WHERE p.service_id <> %(sewage)s AND p.volume = 0
    """, {'sewage': sewage.id, 'uid': uid})
    analyze(cr, 'neopro_meter', 'neopro_metering_point')
    cr.execute("UPDATE neopro_metering_point p SET meter_id = m.id FROM neopro_meter m "
               "WHERE m.metering_point_id IS NOT NULL AND m.metering_point_id = p.id")
    # One reading a month between the 18th and the 25th; monthly use 2–10 m³ (cold), 1–6 m³ (hot), 20–220 m³ for
    # legal entities; 10 %% of the meters miss the open month; counters roll over past 10^digits.
    cr.execute("""
        INSERT INTO neopro_meter_reading (meter_id, date, value, source, is_reset, service_id, subscriber_id,
                                          branch_id, create_uid, create_date, write_uid, write_date)
        SELECT m.id, (%(first)s::date + (k || ' months')::interval + ((17 + m.id %% 8) || ' days')::interval)::date,
               mod(m.initial_value + (k + 1) * use.volume, power(10, m.digits)::numeric), 'subscriber', FALSE,
               m.service_id, m.subscriber_id, m.branch_id,
               %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
          FROM neopro_meter m,
               LATERAL (SELECT round((CASE WHEN m.metering_point_id IS NOT NULL THEN 20 + abs(hashint4(m.id)) %% 200000
                                            / 1000.0
                                           WHEN m.service_id = %(hot)s THEN 1 + abs(hashint4(m.id)) %% 5000 / 1000.0
                                           ELSE 2 + abs(hashint4(m.id)) %% 8000 / 1000.0 END)::numeric, 3) AS volume
                       ) use,
               generate_series(0, %(months)s - 1) k
         WHERE NOT (k = %(months)s - 1 AND abs(hashint4(m.id * 5)) %% 10 = 0)
    """, {'first': first, 'months': months, 'hot': hot.id, 'uid': uid})
    cr.execute('SELECT count(*) FROM neopro_meter')
    meters = cr.fetchone()[0]
    cr.execute('SELECT count(*) FROM neopro_meter_reading')
    readings = cr.fetchone()[0]
    log('%s meters, %s readings', meters, readings)
    analyze(cr, 'neopro_street', 'neopro_house', 'neopro_premise', 'neopro_subscriber', 'neopro_service_connection',
            'res_partner', 'neopro_contract', 'neopro_metering_point', 'neopro_meter', 'neopro_meter_reading')
    env['neopro.subscriber'].invalidate_cache()  # everything: the rows above were written with SQL

    # History: closed months calculated by the engine, paid from bank files ---------------------------------------
    # The accounting link (customer invoices of the 2 000 contracts, through the ORM) is not what the benchmarks
    # measure and would take most of the generation: the history months are closed without it.
    company = env.user.company_id
    post_on_close, company.neopro_post_on_close = company.neopro_post_on_close, False
    Period = env['neopro.period']
    period = Period.create({'date_start': str(opened - relativedelta(months=history)),
                            'date_end': str(opened - relativedelta(months=history) + relativedelta(months=1, days=-1))})
    for _month in range(history):
        started = time.time()
        counts = period._calculate()
        log('period %s calculated in %.1f s (%s lines, %s penalties)', period.name, time.time() - started,
            counts['lines'], counts['penalties'])
        period.action_close()
        closed, period = period, Period._get_open_period()
        pay(env, closed, period, bank, source)
    company.neopro_post_on_close = post_on_close
    cr.execute("SELECT count(*) FROM neopro_operation")
    log('open period %s; %s operations in the ledger', period.name, cr.fetchone()[0])
    cr.execute('ANALYZE neopro_operation')
    cr.execute('ANALYZE neopro_balance')
    return period


def pay(env, closed, period, bank, source):
    """Bank payments in ``period`` of the debts left at the end of ``closed``: 90 % in time, 5 % late (27th),
    3 % half, 2 % nothing."""
    cr = env.cr
    cr.execute("""
        INSERT INTO neopro_operation (operation_type, is_auto, period_id, date, account_id, branch_id,
                                      account_number, amount, payment_source_id, bank_id, payer_name, txn_id,
                                      create_uid, create_date, write_uid, write_date)
        SELECT 'payment', FALSE, %(period)s,
               %(start)s::date + CASE WHEN r < 95 AND r >= 90 THEN 26 ELSE 4 + abs(hashint4(a.id)) %% 19 END,
               a.id, a.branch_id, a.account_number,
               CASE WHEN r >= 95 THEN round(b.balance_end / 2, 2) ELSE b.balance_end END,
               %(source)s, %(bank)s, a.payer_name, 'GEN-' || %(period)s || '-' || a.id,
               %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
          FROM neopro_balance b
          JOIN neopro_account a ON a.id = b.account_id,
               LATERAL (SELECT abs(hashint4(a.id * 11 + %(period)s)) %% 100 AS r) x
         WHERE b.period_id = %(closed)s AND b.balance_end > 0 AND r < 98
    """, {'period': period.id, 'closed': closed.id, 'start': period.date_start, 'source': source.id,
          'bank': bank.id, 'uid': env.uid})
    env['neopro.operation']._refresh_balances(period)
    cr.execute("SELECT count(*), sum(amount) FROM neopro_operation WHERE period_id = %s AND operation_type = 'payment'",
               (period.id,))
    count, total = cr.fetchone()
    log('%s payments (%.2f) booked in %s', count, total or 0, period.name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--db', required=True, help='database to create (or fill when it exists and is empty)')
    parser.add_argument('--subscribers', type=int, default=100000)
    parser.add_argument('--contracts', type=int, default=2000)
    parser.add_argument('--points', type=int, default=5, help='metering points per contract')
    parser.add_argument('--months', type=int, default=6, help='months of readings, ending with the open month')
    parser.add_argument('--history', type=int, default=2, help='closed months before the open one')
    parser.add_argument('--open-month', default='2026-10', help='the open period, YYYY-MM')
    parser.add_argument('--drop', action='store_true', help='drop the database first when it exists')
    args = parser.parse_args()

    exists = subprocess.run(['psql', '-d', 'postgres', '-tAc', "SELECT 1 FROM pg_database WHERE datname = '%s'"
                             % args.db.replace("'", "")], stdout=subprocess.PIPE).stdout.strip() == b'1'
    if exists and args.drop:
        subprocess.run(['dropdb', args.db], check=True)
        exists = False
    if not exists:
        create_database(args.db)

    sys.path.insert(0, ROOT)
    import odoo
    odoo.tools.config.parse_config(['-c', CONF, '-d', args.db, '--log-level=warn'])
    started = time.time()
    registry = odoo.registry(args.db)
    with odoo.api.Environment.manage(), registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {'tz': 'UTC', 'lang': 'en_US'})
        period = generate(env, args.subscribers, args.contracts, args.points, args.months, args.history,
                          args.open_month)
        cr.commit()
    log('database %s ready in %.0f s; open period %s', args.db, time.time() - started, period.name)


if __name__ == '__main__':
    main()
