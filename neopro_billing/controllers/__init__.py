from . import kaspi
from . import login
