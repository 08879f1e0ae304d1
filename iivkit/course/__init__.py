"""The course: the four exercises' self-checks and forms, and ``iivkit course report``, which makes
a feedback page per student and the class summary.
"""
