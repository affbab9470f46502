from . import neopro_address_wizard
from . import neopro_meter_verify
from . import neopro_reading_history
from . import neopro_user_wizard
from . import neopro_payment_import
from . import neopro_operation_entry
from . import neopro_history
from . import neopro_period_calculate
