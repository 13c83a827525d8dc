from django.conf import settings
from django.http import JsonResponse
from oauth2_provider.decorators import protected_resource


@protected_resource(scopes=["userInfo"])
def national_userinfo(request):
    claims = settings.IDP_USERS[request.resource_owner.username]["claims"]
    return JsonResponse(
        {
            "code": 0,
            "data": {
                "userId": claims["sub"],
                "userName": claims.get("name", ""),
                "userType": claims.get("user_type", ""),
                "areaCode": claims.get("area_code", ""),
                "orgIds": claims.get("org_ids", []),
                "orgNames": claims.get("org_names", []),
            },
        }
    )
