"""The administrative-division codes (GB/T 2260) of Zhumadian's city and counties, so that a
platform's area_code claim maps to our 县（区） from the first day. The resource admin edits them in
the admin (统一身份认证 → 区划代码映射); codes of the development zones are added there."""

from django.db import migrations

AREA_CODES = [
    ("411700", "市直", "驻马店市（市直学校）"),
    ("411702", "驿城区", ""),
    ("411721", "西平县", ""),
    ("411722", "上蔡县", ""),
    ("411723", "平舆县", ""),
    ("411724", "正阳县", ""),
    ("411725", "确山县", ""),
    ("411726", "泌阳县", ""),
    ("411727", "汝南县", ""),
    ("411728", "遂平县", ""),
    ("411729", "新蔡县", ""),
]


def forwards(apps, schema_editor):
    Region = apps.get_model("catalogue", "Region")
    RegionMapping = apps.get_model("accounts", "RegionMapping")
    for code, region_name, note in AREA_CODES:
        region = Region.objects.filter(name=region_name).first()
        if region is not None:
            RegionMapping.objects.get_or_create(area_code=code, defaults={"region": region, "note": note})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("catalogue", "0002_initial_taxonomy")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
