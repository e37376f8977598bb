"""Every config schema, one module per area; importing this package registers them all (each module
here is imported, so a new family adds its schemas by adding a file)."""
import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
