"""The ``dateline`` command: serve, demo, user create, token create | list | revoke, export, import, backup,
restore, manage."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")
    import django

    django.setup()


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def cmd_serve(args: argparse.Namespace) -> int:
    _setup_django()
    from django.conf import settings

    if args.workers > 1 and not settings.DATELINE_REDIS_URL:
        print(
            "dateline serve: --workers > 1 needs DATELINE_REDIS_URL (e.g. redis://127.0.0.1:6379/0) so that every "
            "worker process sees every change. Set it, or run with --workers 1.",
            file=sys.stderr,
        )
        return 2
    _migrate()
    if args.workers > 1:
        # The supervisor serves nothing: give back the connections (and the pool) migrating opened, so the
        # database sees only the workers' pools (processes x DATELINE_DATABASE_POOL_SIZE).
        from django.db import connections

        for conn in connections.all(initialized_only=True):
            conn.close()
            if hasattr(conn, "close_pool"):
                conn.close_pool()
    from dateline.server import serve

    serve(host=args.host, port=args.port, workers=args.workers)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    _setup_django()
    _migrate()
    from dateline.demo.loader import DemoSlugTaken, load_demo

    try:
        blog = load_demo()
    except DemoSlugTaken as taken:
        print(f"dateline demo: {taken}", file=sys.stderr)
        return 1
    print(f"Demo live blog ready: /live/{blog.slug}/ ({blog.posts.filter(status='published').count()} posts)")
    return 0


def cmd_user_create(args: argparse.Namespace) -> int:
    _setup_django()
    _migrate()
    from django.core.exceptions import ValidationError

    from dateline.accounts.models import User
    from dateline.coverage.actions import create_user_by_operator
    from dateline.coverage.errors import ValidationFailed

    try:  # checked before anything else, so a bad name is a usage error whatever the database holds
        User.username_validator(args.name)
        if not 0 < len(args.name) <= (User._meta.get_field("username").max_length or 150):
            raise ValidationError("too long")
    except ValidationError:
        print(f"dateline user create: '{args.name[:40]}' is not a valid username: at most 150 letters, digits and "
              "@ . + - _", file=sys.stderr)
        return 2
    if User.objects.filter(username__iexact=args.name).exists():
        print(f"dateline user create: a user named '{args.name}' already exists.", file=sys.stderr)
        return 1
    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            print("dateline user create: --password-stdin read an empty line; no account was created.",
                  file=sys.stderr)
            return 2
    try:  # the people page's checks (username, password length and validators), so the rules are the same
        user = create_user_by_operator(username=args.name, role=args.role, password=password)
    except ValidationFailed as refused:
        problems = "; ".join(f"{name}: {problem}" for name, problem in refused.fields.items())
        print(f"dateline user create: {problems or refused.message}", file=sys.stderr)
        return 2
    print(f"Created {user.role} '{user.username}'.")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    _setup_django()
    _migrate()
    from dateline.accounts.models import User
    from dateline.coverage.actions import issue_token
    from dateline.coverage.errors import ValidationFailed

    user = User.objects.filter(username=args.name).first()
    if user is None:
        print(f"dateline token create: no user named '{args.name}' (create one with 'dateline user create').",
              file=sys.stderr)
        return 1
    try:
        _token, raw = issue_token(None, user, label=args.label or "cli")
    except ValidationFailed as refused:
        print(f"dateline token create: --label: {refused.message}", file=sys.stderr)
        return 2
    print(raw)
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    _setup_django()
    _migrate()
    from dateline.accounts.models import ApiToken, User

    user = User.objects.filter(username=args.name).first()
    if user is None:
        print(f"dateline token list: no user named '{args.name}'.", file=sys.stderr)
        return 1
    for token in ApiToken.objects.filter(user=user).order_by("created_at", "pk"):
        used = token.last_used_at.isoformat(timespec="seconds") if token.last_used_at else "never"
        print(f"{token.prefix}…\t{token.name or '-'}\tcreated {token.created_at.isoformat(timespec='seconds')}"
              f"\tlast used {used}")
    return 0


PREFIX_LENGTH = 10  # ApiToken.prefix: "dl_" and 7 characters of the secret


def cmd_token_revoke(args: argparse.Namespace) -> int:
    """Revoke one token by the start ``token list`` shows (a leaked or retired token, without locking its user out)."""
    _setup_django()
    _migrate()
    from dateline.accounts.models import ApiToken, hash_token
    from dateline.coverage.actions import revoke_token

    start = args.token.rstrip("…")
    tokens = ApiToken.objects.select_related("user")
    if len(start) > PREFIX_LENGTH:  # the whole token: exactly that one
        matches = list(tokens.filter(key_hash=hash_token(start)))
    else:
        matches = list(tokens.filter(prefix__startswith=start)) if start else []
    if len(matches) != 1:
        problem = "no token starts with" if not matches else f"{len(matches)} tokens start with"
        print(f"dateline token revoke: {problem} '{start[:20]}'; 'dateline token list NAME' shows each token's start.",
              file=sys.stderr)
        return 1 if not matches else 2
    token = matches[0]
    revoke_token(None, token)
    print(f"Revoked {token.prefix}… ({token.name or 'no label'}) of '{token.user.username}'.")
    return 0


def _with_django(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        _setup_django()
        if command.__name__ != "cmd_restore":  # restore migrates after putting the backup in place
            _migrate()
        return command(args)
    return run


def cmd_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dateline manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dateline", description="Dateline live coverage platform")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="apply migrations and serve the ASGI app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="processes; more than 1 needs DATELINE_REDIS_URL")
    serve.set_defaults(func=cmd_serve)

    demo = sub.add_parser("demo", help="load or refresh the demo live blog (idempotent)")
    demo.set_defaults(func=cmd_demo)

    user = sub.add_parser("user", help="manage users").add_subparsers(dest="user_command", required=True)
    create = user.add_parser("create", help="create a user")
    create.add_argument("name")
    create.add_argument("--role", required=True, choices=["admin", "editor", "reporter", "contributor"])
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    create.set_defaults(func=cmd_user_create)

    token = sub.add_parser("token", help="manage API tokens").add_subparsers(dest="token_command", required=True)
    tcreate = token.add_parser("create", help="print a new API token for a user (stored hashed)")
    tcreate.add_argument("name")
    tcreate.add_argument("--label", default="", help="a note to recognise the token by")
    tcreate.set_defaults(func=cmd_token_create)
    tlist = token.add_parser("list", help="list a user's tokens (their start, label and dates; never the token)")
    tlist.add_argument("name")
    tlist.set_defaults(func=cmd_token_list)
    trevoke = token.add_parser("revoke", help="revoke one token by its start, as 'token list' shows it")
    trevoke.add_argument("token")
    trevoke.set_defaults(func=cmd_token_revoke)

    from dateline.interchange.commands import add_parsers

    add_parsers(sub, _with_django)

    manage = sub.add_parser("manage", help="run any Django management command", add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
