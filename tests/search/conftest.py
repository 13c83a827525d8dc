import pytest

from tests import factories


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Create (and publish) a resource the way an editor does, running the on-commit indexing task."""

    def make(**fields):
        fields.setdefault("with_cover", False)
        with django_capture_on_commit_callbacks(execute=True):
            return factories.resource(**fields)

    return make


@pytest.fixture
def corpus(db, publish):
    """A small catalogue with the names the issue talks about."""
    return {
        "leizu_legend": publish(
            title="嫘祖文化｜嫘祖养蚕缫丝的传说",
            topic="嫘祖文化",
            region="西平县",
            subjects=("语文",),
            stage="小学",
            resource_type="video",
            description="<p>西平县被认定为嫘祖故里，本课讲述教民养蚕缫丝的传说。</p>",
        ),
        "silk_science": publish(
            title="从蚕茧到丝绸的科学探究",
            topic="嫘祖文化",
            region="西平县",
            subjects=("科学",),
            stage="初中",
            resource_type="courseware",
            description="<p>观察蚕的一生，探究蚕丝的结构。西平县被认定为嫘祖故里。</p>",
        ),
        "chayashan": publish(
            title="嵖岈山｜花岗岩地貌的形成",
            topic="嵖岈山",
            region="遂平县",
            subjects=("地理",),
            stage="初中",
            resource_type="video",
            description="<p>嵖岈山以花岗岩奇石闻名，本课解释球状风化。</p>",
        ),
        "chayashan_stones": publish(
            title="奇石与想象",
            topic="嵖岈山",
            region="遂平县",
            subjects=("语文",),
            stage="小学",
            resource_type="gallery",
            description="<p>观察象形石，练习观察与想象的写作方法。</p>",
        ),
        "zhugou": publish(
            title="“小延安”竹沟的故事",
            topic="竹沟革命根据地",
            region="确山县",
            subjects=("历史",),
            stage="初中",
            resource_type="video",
            description="<p>讲述竹沟为何被称为“小延安”，以及它在中原抗战中的作用。</p>",
        ),
    }
