from . import kaspi
from . import portal
