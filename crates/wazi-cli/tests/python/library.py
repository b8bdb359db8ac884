"""A library component in Python (componentize-py) whose world defines its
own types: a record, a variant, an enum and flags, used by its exports."""

import math
import wit_world
from wit_world import Point, Shape_Circle, Shape_Rect, Shape_Empty, Color, Perms
from componentize_py_types import Err


class WitWorld(wit_world.WitWorld):
    def area(self, s):
        if isinstance(s, Shape_Circle):
            return math.pi * s.value * s.value
        if isinstance(s, Shape_Rect):
            return float(abs(s.value.x * s.value.y))
        return 0.0

    def mirror(self, p):
        return Point(x=-p.x, y=-p.y, label=p.label[::-1])

    def next_color(self, c):
        return Color((c.value + 1) % 3)

    def grant(self, p):
        return p | Perms.READ

    def describe(self, items):
        if not items:
            raise Err("no items")
        return ", ".join(f"{k}={'none' if v is None else v}" for k, v in items)
