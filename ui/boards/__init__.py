"""The live boards: a view per column over a model, cards painted by a delegate."""
