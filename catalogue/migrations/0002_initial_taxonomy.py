"""Initial taxonomy rows. Afterwards they are data: edited in the admin (分类体系), not here."""

from django.db import migrations

THEMES = [
    ("红色文化", "red-culture", "驻马店的革命历史与红色基因：纪念馆、革命根据地与英模故事。", [
        ("杨靖宇将军纪念馆", "yang-jingyu-memorial", "确山县", "抗日民族英雄杨靖宇将军故里的纪念馆，讲述将军的成长与抗联岁月。"),
        ("竹沟革命根据地", "zhugou-base", "确山县竹沟镇", "被誉为“小延安”的竹沟，是中原地区重要的革命根据地。"),
        ("驻马店英模人物", "zmd-heroes", "驻马店市", "从革命年代到新时代，驻马店大地上的英雄模范与先进人物。"),
    ]),
    ("传统文化", "traditional-culture", "根植天中大地的传统文化：嫘祖、梁祝、盘古、重阳与非物质文化遗产。", [
        ("嫘祖文化", "leizu", "西平县", "西平县被认定为嫘祖故里，嫘祖“养蚕缫丝”的传说与丝绸文化。"),
        ("梁祝文化", "liangzhu", "汝南县", "汝南县流传的梁山伯与祝英台故事，以及相关的遗址与民间艺术。"),
        ("盘古文化", "pangu", "泌阳县", "泌阳盘古山与盘古开天辟地的神话传说。"),
        ("重阳文化", "chongyang", "上蔡县", "上蔡县的重阳登高习俗与敬老孝亲传统。"),
        ("确山打铁花", "queshan-iron-flowers", "确山县", "国家级非物质文化遗产，铁水击打成花的传统民俗技艺。"),
    ]),
    ("自然风貌", "natural-scenery", "驻马店的山水地貌与生态：嵖岈山、薄山湖、宿鸭湖等。", [
        ("嵖岈山", "chayashan", "遂平县", "以花岗岩奇石地貌闻名的国家地质公园与5A级景区。"),
        ("薄山湖", "boshanhu", "确山县", "大别山余脉间的人工湖泊，山水相依的生态风光。"),
        ("铜山湖", "tongshanhu", "泌阳县", "泌阳县境内的大型水库湖泊与湿地生态。"),
        ("宿鸭湖", "suyahu", "汝南县", "平原地区的大型水库，候鸟栖息的湿地。"),
        ("老乐山", "laoleshan", "驿城区", "驻马店城区近旁的山地森林与道教文化遗存。"),
    ]),
]

SUBJECTS = [
    "语文", "数学", "英语", "道德与法治", "历史", "地理", "科学", "物理", "化学", "生物",
    "体育", "美育", "音乐", "美术", "劳动教育", "人工智能通识", "信息科技", "综合实践活动",
]

STAGES = [
    ("小学", "primary", ["一年级", "二年级", "三年级", "四年级", "五年级", "六年级"]),
    ("初中", "junior", ["七年级", "八年级", "九年级"]),
    ("高中", "senior", ["高一", "高二", "高三"]),
]

RESOURCE_TYPES = [
    ("微课视频", "video"),
    ("课件", "courseware"),
    ("教学设计", "design"),
    ("学案/作业", "worksheet"),
    ("图片图集", "gallery"),
    ("音频", "audio"),
    ("虚拟展馆/外部链接", "link"),
]

REGIONS = [
    ("驿城区", "yicheng", "district"),
    ("西平县", "xiping", "county"),
    ("上蔡县", "shangcai", "county"),
    ("平舆县", "pingyu", "county"),
    ("正阳县", "zhengyang", "county"),
    ("确山县", "queshan", "county"),
    ("泌阳县", "biyang", "county"),
    ("汝南县", "runan", "county"),
    ("遂平县", "suiping", "county"),
    ("新蔡县", "xincai", "county"),
    ("经济开发区", "etdz", "zone"),
    ("高新技术产业开发区", "hitech", "zone"),
    ("城乡一体化示范区", "urban-rural", "zone"),
    ("市直", "city", "city"),
]


def forwards(apps, schema_editor):
    Theme = apps.get_model("catalogue", "Theme")
    Topic = apps.get_model("catalogue", "Topic")
    Subject = apps.get_model("catalogue", "Subject")
    Stage = apps.get_model("catalogue", "Stage")
    Grade = apps.get_model("catalogue", "Grade")
    ResourceType = apps.get_model("catalogue", "ResourceType")
    Region = apps.get_model("catalogue", "Region")

    for t_order, (name, slug, description, topics) in enumerate(THEMES, start=1):
        theme, _ = Theme.objects.get_or_create(
            name=name, defaults={"slug": slug, "description": description, "sort_order": t_order * 10}
        )
        for order, (topic_name, topic_slug, place, topic_description) in enumerate(topics, start=1):
            Topic.objects.get_or_create(
                name=topic_name,
                defaults={
                    "theme": theme,
                    "slug": topic_slug,
                    "place": place,
                    "description": topic_description,
                    "sort_order": order * 10,
                },
            )
    for order, name in enumerate(SUBJECTS, start=1):
        Subject.objects.get_or_create(name=name, defaults={"sort_order": order * 10})
    for s_order, (name, code, grades) in enumerate(STAGES, start=1):
        stage, _ = Stage.objects.get_or_create(code=code, defaults={"name": name, "sort_order": s_order * 10})
        for order, grade in enumerate(grades, start=1):
            Grade.objects.get_or_create(name=grade, defaults={"stage": stage, "sort_order": s_order * 100 + order})
    for order, (name, code) in enumerate(RESOURCE_TYPES, start=1):
        ResourceType.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order * 10})
    for order, (name, code, kind) in enumerate(REGIONS, start=1):
        Region.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
