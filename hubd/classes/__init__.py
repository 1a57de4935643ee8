"""Device classes, one package each (the recipe is written here once the class spec lands)."""
