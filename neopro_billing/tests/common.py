"""Shared fixture: a small utility with two branches, built without demo data."""
from odoo.tests.common import SavepointCase


class NeoproCase(SavepointCase):

    @classmethod
    def setUpClass(cls):
        super(NeoproCase, cls).setUpClass()
        env = cls.env
        cls.cold = env.ref('neopro_billing.service_cold_water')
        cls.hot = env.ref('neopro_billing.service_hot_water')
        cls.sewage = env.ref('neopro_billing.service_sewage')
        cls.branch1 = env['neopro.branch'].create({'name': 'Test branch 1', 'code': 'T1'})
        cls.branch2 = env['neopro.branch'].create({'name': 'Test branch 2', 'code': 'T2'})
        cls.category = env['neopro.subscriber.category'].create({'name': 'Test residents', 'code': 'TBS'})
        cls.amenity = env['neopro.amenity.level'].create({'name': 'Test full amenities'})
        cls.city = env['neopro.city'].create({'name': 'Testgrad'})
        cls.street = env['neopro.street'].create({'name': 'Test street', 'city_id': cls.city.id})
        cls.house = env['neopro.house'].create({'street_id': cls.street.id, 'number': '2', 'branch_id': cls.branch1.id})
        cls.flat45 = env['neopro.premise'].create({'house_id': cls.house.id, 'number': '45'})
        cls.house2 = env['neopro.house'].create({'street_id': cls.street.id, 'number': '6', 'branch_id': cls.branch2.id})

    @classmethod
    def _create_subscriber(cls, account, name, branch=None, premise=None, house=None, residents=2, **vals):
        premise = premise or cls.env['neopro.premise']
        house = house or premise.house_id or cls.house
        vals.update({
            'account_number': account, 'name': name, 'residents': residents,
            'branch_id': (branch or cls.branch1).id, 'category_id': cls.category.id,
            'amenity_level_id': cls.amenity.id, 'house_id': house.id, 'premise_id': premise.id,
        })
        return cls.env['neopro.subscriber'].create(vals)

    @classmethod
    def _create_meter(cls, serial, owner, service=None, digits=5, **vals):
        vals.update({'serial_number': serial, 'service_id': (service or cls.cold).id, 'digits': digits})
        vals[{'neopro.subscriber': 'subscriber_id', 'neopro.metering.point': 'metering_point_id',
              'neopro.house': 'house_id'}[owner._name]] = owner.id
        return cls.env['neopro.meter'].create(vals)
