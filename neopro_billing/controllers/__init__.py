from . import kaspi
from . import login
from . import session_cookie
from . import report
from . import portal
