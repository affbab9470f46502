from . import kaspi
