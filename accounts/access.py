"""View-level access helpers: a wrong role is a 403; someone else's object is a 404."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def role_required(*predicates: Callable) -> Callable:
    """Allow the view when any of the role predicates holds.

    Anonymous users go to the login page; a signed-in user of another role gets 403. Whether
    the object belongs to the viewer is the selector's business (404), not this decorator's.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(p(request.user) for p in predicates):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
