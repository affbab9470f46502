#!/usr/bin/env python3
"""Benchmark of Administration → Add address with a range of 2 000 apartments (issue 11).

    .venv/bin/python bench/bench_address.py --db billing_bench [--count 2000]

On any database with neopro_billing installed, in one transaction rolled back at the end: the range created one
``create`` at a time as before (``house.write({'premise_ids': [(0, 0, …)]})``), the range created by the wizard
(``neopro.premise._create_range``, one INSERT), and the SQL floor (a bare INSERT of the same rows). Prints the seconds
of each and the ratios to the floor. Not part of bin/test.
"""
import argparse
import time

import benchlib


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--db', required=True)
    parser.add_argument('--count', type=int, default=2000)
    args = parser.parse_args()
    odoo, registry = benchlib.connect(args.db)
    with registry.cursor() as cr:
        env = benchlib.environment(odoo, cr)
        city = env['neopro.city'].create({'name': 'Bench city'})
        street = env['neopro.street'].create({'city_id': city.id, 'name': 'Bench street'})
        houses = [env['neopro.house'].create({'street_id': street.id, 'number': str(n)}) for n in (1, 2, 3)]
        numbers = [str(n) for n in range(1, args.count + 1)]
        timings = {}

        started = time.time()
        houses[0].write({'premise_ids': [(0, 0, {'number': n, 'sequence': int(n)}) for n in numbers]})
        env['neopro.premise'].invalidate_cache()
        timings['one create at a time (before)'] = time.time() - started

        started = time.time()
        wizard = env['neopro.address.wizard'].create({
            'city_id': city.id, 'street_id': street.id, 'house_number': '2', 'apartment_from': 1,
            'apartment_to': args.count})
        wizard.action_create()
        timings['the wizard, one INSERT (after)'] = time.time() - started

        started = time.time()
        cr.execute("""
            INSERT INTO neopro_premise (house_id, number, sequence, full_address, active, create_uid, write_uid,
                                        create_date, write_date)
            SELECT %s, n::varchar, n, 'floor ' || n, true, 1, 1, now(), now() FROM generate_series(1, %s) n""",
                   (houses[2].id, args.count))
        timings['SQL floor'] = time.time() - started

        assert [len(house.premise_ids) for house in houses] == [args.count] * 3
        floor = timings['SQL floor']
        print('%d apartments' % args.count)
        for label, seconds in timings.items():
            print('  %-34s %7.3f s  (%.1f × the floor)' % (label, seconds, seconds / floor))
        cr.rollback()


if __name__ == '__main__':
    main()
