from . import kaspi
from . import session_cookie
from . import report
