"""Smaller networks (lecture section 3): pruning by magnitude, relevance or penalty, int8 quantisation,
and the before/after measurements that say what each bought. Distillation is an objective
(``aa.task.distillation``); the Lightning callbacks that run these steps are in ``aa.callbacks.compression``."""
