"""Sign-in pages: login and landing, federated sign-in and its completion form, two-factor
enrolment and verification, the teacher's pending page, the county's confirmation list, password
reset."""

import base64
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.log_actions import LogContext

from catalogue.models import Confirmation, Region, Role, UserProfile
from catalogue.permissions import ALL_REGIONS, Ability, can, landing_url, needs_two_factor, region_scope
from ops.audit import FEDERATED_LOGIN, TWO_FACTOR_FAILED, TWO_FACTOR_RECOVERY_USED, audit

from . import federation, services
from .forms import CompletionForm, LoginForm, TokenForm

logger = logging.getLogger("accounts")

PENDING_KEY = "accounts_federated_pending"
NEXT_KEY = "accounts_next"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def safe_next(request, value: str | None) -> str | None:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return None


def after_login_url(request, user, next_url: str | None = None) -> str:
    """A safe `next` wins; otherwise each role's own page (catalogue.permissions.landing_url)."""
    return safe_next(request, next_url) or landing_url(user)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_success_url(self):
        return after_login_url(self.request, self.request.user, self.get_redirect_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["federated"] = federation.enabled()
        context["federated_label"] = federation.config().get("label")
        return context


# --- federated sign-in ---------------------------------------------------------------------------


@never_cache
def federated_login(request):
    if not federation.enabled():
        raise Http404
    next_url = safe_next(request, request.GET.get("next"))
    request.session[NEXT_KEY] = next_url or ""
    redirect_uri = federation.config().get("redirect_uri") or request.build_absolute_uri(
        reverse("accounts:federated_callback")
    )
    try:
        return federation.client().authorize_redirect(request, redirect_uri)
    except Exception:
        logger.exception("Federated sign-in: could not reach the identity provider")
        return _federated_error(request, _("暂时无法连接统一身份认证平台，请稍后再试，或使用本站账号登录。"))


def _federated_error(request, message: str, status: int = 502):
    return render(request, "accounts/federated_error.html", {"message": message}, status=status)


@never_cache
def federated_callback(request):
    from authlib.integrations.base_client import OAuthError

    if not federation.enabled():
        raise Http404
    try:
        claims = federation.fetch_claims(request)
    except OAuthError as exc:
        logger.warning("Federated sign-in refused: %s", exc)
        return _federated_error(request, _("统一身份认证未完成（%(error)s），请重新登录。") % {"error": exc.error}, 400)
    except Exception:
        logger.exception("Federated sign-in: token or userinfo request failed")
        return _federated_error(request, _("暂时无法从统一身份认证平台取得您的身份信息，请稍后再试。"))
    resolution = federation.resolve_claims(claims)
    try:
        user = services.federated_user_sign_in(resolution=resolution)
    except services.FederationRefused as exc:
        return _federated_error(request, str(exc), 403)
    if user is None:
        # First sign-in the claims cannot map: keep what the provider said on the server side
        # (the session), and ask only for county and school.
        request.session[PENDING_KEY] = {
            "subject": resolution.subject,
            "name": resolution.name,
            "role": resolution.role,
            "raw_role": resolution.raw_role,
            "region_id": resolution.region.pk if resolution.region else None,
            "area_codes": resolution.area_codes,
            "org_ids": resolution.org_ids,
            "org_names": resolution.org_names,
        }
        return redirect("accounts:federated_complete")
    return _federated_finish(request, user)


def _federated_finish(request, user):
    if not user.is_active:
        return _federated_error(request, _("该账号已停用，请联系学校或县（区）管理员。"), 403)
    auth_login(request, user, backend=BACKEND)
    audit(user, FEDERATED_LOGIN, user=user, data={"provider": federation.config()["provider"]})
    next_url = request.session.pop(NEXT_KEY, "") or None
    return redirect(after_login_url(request, user, next_url))


@never_cache
@require_http_methods(["GET", "POST"])
def federated_complete(request):
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return redirect("accounts:login")
    fixed_region = Region.objects.filter(pk=pending.get("region_id")).first() if pending.get("region_id") else None
    chosen_region = fixed_region
    if chosen_region is None:
        region_param = request.POST.get("region") or request.GET.get("region")
        if region_param and str(region_param).isdigit():
            chosen_region = Region.objects.filter(pk=region_param).first()
    if request.method == "POST" and "school" in request.POST:
        form = CompletionForm(request.POST, fixed_region=fixed_region)
        if form.is_valid():
            resolution = federation.Resolution(
                subject=pending["subject"],
                name=pending.get("name", ""),
                role=pending["role"],
                region=form.cleaned_data["region"],
                school=form.cleaned_data["school"],
                org_ids=pending.get("org_ids", []),
                org_names=pending.get("org_names", []),
                area_codes=pending.get("area_codes", []),
                raw_role=pending.get("raw_role", ""),
            )
            try:
                user = services.federated_user_create(
                    resolution=resolution,
                    region=form.cleaned_data["region"],
                    school=form.cleaned_data["school"],
                    via_form=True,
                )
            except services.FederationRefused as exc:
                return _federated_error(request, str(exc), 403)
            request.session.pop(PENDING_KEY, None)
            return _federated_finish(request, user)
    else:
        initial = {"region": chosen_region.pk} if chosen_region else {}
        form = CompletionForm(initial=initial, fixed_region=fixed_region)
        if chosen_region is not None and fixed_region is None:
            form.fields["school"].queryset = form.fields["school"].queryset.filter(region=chosen_region)
    context = {
        "form": form,
        "pending": pending,
        "role_label": Role(pending["role"]).label,
        "fixed_region": fixed_region,
        "chosen_region": chosen_region,
        "org_name": "、".join(pending.get("org_names") or []),
        "federated_label": federation.config().get("label"),
    }
    return render(request, "accounts/federated_complete.html", context)


# --- pending teachers and the county's confirmation ---------------------------------------------


@login_required
def pending(request):
    profile = getattr(request.user, "profile", None)
    if profile is None or profile.is_confirmed:
        return redirect(landing_url(request.user))
    return render(request, "accounts/pending.html", {"profile": profile})


def _confirmable_profiles(user):
    scope = region_scope(user, Ability.CONFIRM_TEACHERS)
    profiles = UserProfile.objects.filter(role=Role.TEACHER).exclude(confirmation=Confirmation.CONFIRMED)
    if scope is None:
        return profiles.none()
    if scope is not ALL_REGIONS:
        profiles = profiles.filter(region_id=scope)
    return profiles.select_related("user", "region", "school").order_by("confirmation", "region__sort_order", "pk")


@login_required
@require_http_methods(["GET", "POST"])
def confirmations(request):
    if not can(request.user, Ability.CONFIRM_TEACHERS):
        raise PermissionDenied
    if request.method == "POST":
        profile = get_object_or_404(_confirmable_profiles(request.user), pk=request.POST.get("profile"))
        decision = request.POST.get("decision")
        if decision not in ("confirm", "reject") or not can(
            request.user, Ability.CONFIRM_TEACHERS, region=profile.region_id
        ):
            raise PermissionDenied
        with LogContext(user=request.user):
            services.teacher_confirm(profile=profile, by=request.user, confirmed=decision == "confirm")
        name = profile.display_name or profile.user.get_username()
        if decision == "confirm":
            messages.success(
                request,
                _("已确认 %(name)s 为 %(school)s 的教师，其现在可以申报资源。")
                % {"name": name, "school": profile.school},
            )
        else:
            messages.info(request, _("已驳回 %(name)s 的教师身份确认。") % {"name": name})
        return redirect("accounts:confirmations")
    return render(request, "accounts/confirmations.html", {"profiles": _confirmable_profiles(request.user)})


# --- two-factor sign-in ---------------------------------------------------------------------------


def _qr_data_uri(url: str) -> str:
    """The enrolment QR code, drawn here (segno, SVG) and inlined: no outside service, no CDN."""
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=5, border=2, dark="#1f2937")
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _has_device(user) -> bool:
    from django_otp import user_has_device

    return user_has_device(user, confirmed=True)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Enrol an authenticator app (TOTP): scan the code, type one code to confirm; recovery codes
    are shown once. An account that already has one re-enrols only after verifying."""
    from django_otp import login as otp_login

    if _has_device(request.user) and not request.user.is_verified():
        return redirect(f"{reverse('accounts:two_factor_verify')}?next={reverse('accounts:two_factor_setup')}")
    device = services.totp_device_pending(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            codes = services.two_factor_enrol(user=request.user, device=device)
            otp_login(request, device)
            next_url = safe_next(request, request.POST.get("next") or request.GET.get("next")) or landing_url(
                request.user
            )
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url})
        form.add_error("token", _("动态口令不正确，请看手机上最新的 6 位数字后重新输入。"))
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    context = {
        "form": form,
        "qr": _qr_data_uri(device.config_url),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "next": safe_next(request, request.GET.get("next")) or "",
        "required": settings.TWO_FACTOR_REQUIRED and needs_two_factor(request.user),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    from django_otp import devices_for_user
    from django_otp import login as otp_login
    from django_otp.plugins.otp_static.models import StaticDevice

    if not _has_device(request.user):
        return redirect("accounts:two_factor_setup")
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next")) or landing_url(request.user)
    if request.user.is_verified():
        return redirect(next_url)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        for device in devices_for_user(request.user, confirmed=True):
            verified, _ignored = device.verify_is_allowed()
            if verified and device.verify_token(token):
                otp_login(request, device)
                if isinstance(device, StaticDevice):
                    left = device.token_set.count()
                    audit(request.user, TWO_FACTOR_RECOVERY_USED, user=request.user, data={"left": left})
                    messages.warning(
                        request,
                        _("您使用了一个恢复码，还剩 %(n)d 个。如手机丢失，请在“账号安全”中重新绑定。") % {"n": left},
                    )
                return redirect(next_url)
        audit(request.user, TWO_FACTOR_FAILED, user=request.user, data={})
        form.add_error("token", _("动态口令或恢复码不正确。多次输错后需稍等片刻才能再试。"))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


@login_required
@require_POST
def recovery_codes_new(request):
    if not (_has_device(request.user) and request.user.is_verified()):
        raise PermissionDenied
    codes = services.recovery_codes_reset(user=request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("accounts:security")})


@login_required
def security(request):
    from django_otp.plugins.otp_static.models import StaticToken

    context = {
        "has_device": _has_device(request.user),
        "required": settings.TWO_FACTOR_REQUIRED and needs_two_factor(request.user),
        "recovery_left": StaticToken.objects.filter(device__user=request.user).count(),
        "identities": request.user.federated_identities.all(),
        "has_password": request.user.has_usable_password(),
        "federated_label": federation.config().get("label"),
    }
    return render(request, "accounts/security.html", context)


# --- password reset (Django's views, our Chinese templates) ----------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"federated_label": federation.config().get("label")}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"federated_label": federation.config().get("label")}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")

    def form_valid(self, form):
        messages.success(self.request, _("密码已修改。"))
        return super().form_valid(form)
