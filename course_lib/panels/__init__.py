"""Slider panels of the lectures, one small module per lecture (built on course_lib.widgets)."""
