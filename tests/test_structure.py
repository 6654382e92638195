"""Structure stage: official numbering, unnumbered headings, list items vs headings, kinds."""

from corpus_tools.structure import parse_sections, section_kind


def heads(text):
    return [(s.level, s.marker, s.title) for s in parse_sections(text)]


def test_official_numbering_hierarchy():
    text = "\n".join([
        "一、工会经费收支使用情况", "（一）经费收入情况。2011年初经费余额8721.40元。", "（二）经费支出情况。总支出29358.50元。",
        "二、今后财务工作的重点", "（一）工会要进一步加强对财务工作的领导。", "重视工会经费收缴工作，抓好财务内部控制制度的建设。",
    ])
    assert heads(text) == [(1, "一、", "工会经费收支使用情况"), (2, "（一）", "经费收入情况"), (2, "（二）", "经费支出情况"),
                           (1, "二、", "今后财务工作的重点"), (2, "（一）", "工会要进一步加强对财务工作的领导")]


def test_every_marker_style_is_recognised():
    text = "\n".join(["第一，千方百计稳定经济增长。", "今年经济发展仍然比较困难，我们必须把稳增长放在更加突出的位置。",
                     "一、加强组织建设", "（一）完善制度", "1. 实施民主管理。", "学校让教师以主人翁的精神参与学校的民主管理。",
                     "（1）开展各种艺术活动。", "每年学校工会都制定了一系列文艺活动计划。",
                     "① 组织合唱比赛", "全体职工踊跃参加合唱比赛，取得好成绩。"])
    assert [m for _, m, _ in heads(text)] == ["第一，", "一、", "（一）", "1.", "（1）", "①"]


def test_arabic_list_items_without_a_parent_heading_are_not_sections():
    text = "\n".join(["1、今年春节前夕医院慰问11户离退休职工和贫困职工补贴5600元，其中包括在岗职工。",
                     "2、多次到社区、农村义诊服务，赠送药品2019余元。", "4、春节前夕为职工发放福利1000元，旅游费350元。"])
    assert heads(text) == []


def test_single_sentence_items_of_a_list_are_not_headings():
    text = "\n".join(["六、加强工会自身建设，增强活力。校工会注重抓工会组织的自身建设。",
                     "1、继续建立健全工会各项规章制度，组织实施教工代表大会实施细则。", "2、认真抓好组织整顿、发展会员。",
                     "3、加强对工会财务工作的管理，严格按照有关规定使用经费。"])
    assert [m for _, m, _ in heads(text)] == ["六、"]


def test_numbered_paragraphs_with_a_lead_sentence_under_a_heading_are_sections():
    text = "\n".join(["三、真诚关心职工生活，把工会建成温暖的职工之家。",
                     "1. 建立探望病患制度：凡是知道教职工本人或家人患病住院，工会都及时前往探望，送去慰问品和关心。",
                     "2. 建立慰问丧事制度：遇到教职工本人或直系家属作古，工会领导都能前往吊唁与慰问，帮助解决善后事宜。"])
    assert heads(text) == [(1, "三、", "真诚关心职工生活，把工会建成温暖的职工之家"), (2, "1.", "建立探望病患制度"),
                           (2, "1.".replace("1", "2"), "建立慰问丧事制度")]


def test_unnumbered_heading_lines_above_their_body():
    text = "\n".join(["20xx年段工会的主要工作", "一、完善组织管理，壮大会员队伍，工作进一步理顺和规范化。去年，我段召开了职代会。",
                     "20xx年段工会工作部署", "20xx年，段工会工作的指导思想是：认真贯彻落实上级精神，促进和谐稳定发展。"])
    assert heads(text) == [(1, "", "20xx年段工会的主要工作"), (2, "一、", "完善组织管理，壮大会员队伍，工作进一步理顺和规范化"),
                           (1, "", "20xx年段工会工作部署")]


def test_salutation_date_and_signature_are_not_headings():
    text = "\n".join(["各位代表、同志们：", "我受工会委员会的委托，向大会作工作报告，请各位代表审议。",
                     "泸西县疾控中心工会", "二〇一〇年十一月三十日"])
    assert heads(text) == []


def test_section_spans_nest_and_cover_their_body():
    text = "一、工作回顾\n今年工会做了很多工作。\n（一）民主管理\n召开了职代会。\n二、存在的问题\n经费不足。"
    secs = parse_sections(text)
    assert [text[s.start:s.end].split("\n")[0] for s in secs] == ["一、工作回顾", "（一）民主管理", "二、存在的问题"]
    assert secs[0].end == secs[2].start and secs[1].end == secs[2].start and secs[2].end == len(text)
    assert secs[1].parent_id == secs[0].section_id and secs[2].parent_id is None


def test_later_numbering_without_its_first_item_continues_the_outer_level():
    text = "\n".join(["(一) 选举职工代表，参与民主管理。", "院工会积极参与民主管理，依法选举职工代表43名。",
                     "(四) 关注弱势群体，关爱困难职工。", "院工会充分发挥职能作用，把关爱困难职工作为大事来抓。",
                     "二、二0__年主要工作打算", "在新的一年里，院工会将主要抓好以下几方面工作。"])
    assert [lvl for lvl, _, _ in heads(text)] == [1, 1, 1]


def test_section_kinds():
    assert section_kind("20xx年工作回顾") == "review"
    assert section_kind("存在的问题和不足") == "problems"
    assert section_kind("二0__年主要工作打算") == "plans"
    assert section_kind("经费收入情况") == "finance"
    assert section_kind("积极开展文体活动") == "other"
    secs = parse_sections("二、今后工作打算\n（一）加强组织建设\n健全和完善组织体制，发挥工会的桥梁纽带作用。")
    assert [s.kind for s in secs] == ["plans", "plans"]  # children inherit their parent's kind
