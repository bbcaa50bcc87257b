"""(being written: see comments/api/__init__.py)"""

from ninja import Router

router = Router(tags=["reads"])
