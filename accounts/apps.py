from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Sign-in: federated sign-in (统一身份认证) with its mapping tables, two-factor sign-in,
    login abuse controls, landing pages, password reset and the county's teacher confirmation."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "账号与登录"
