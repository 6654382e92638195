"""Tests for corpus_tools.segment: domain terms, exact offsets, sentences, pickling, isolation.

Example sentences are cut from the sample pages in /work/shared/seeds (a few lightly shortened).
"""

from __future__ import annotations

import multiprocessing
import pickle
import re
from concurrent.futures import ProcessPoolExecutor

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_tools.records import Token
from corpus_tools.segment import (
    BACKEND_ENV,
    DictionaryError,
    Segmenter,
    domain_dictionary,
    read_dictionary,
    split_sentences,
    tokens_string,
)


@pytest.fixture(scope="module", params=["jieba", "rjieba"])
def seg(request) -> Segmenter:
    """Every test that takes ``seg`` runs with both engines (rjieba when installed)."""
    if request.param == "rjieba":
        pytest.importorskip("rjieba")
    return Segmenter(backend=request.param)


@pytest.fixture(scope="module")
def jieba_seg() -> Segmenter:
    seg = Segmenter(backend="jieba")
    seg.cut("工会")  # built once for the module
    return seg


@pytest.fixture(scope="module")
def fast_seg() -> Segmenter:
    pytest.importorskip("rjieba")
    seg = Segmenter(backend="rjieba")
    seg.cut("工会")
    return seg


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


# -- domain terms ----------------------------------------------------------------------------

REPORT_SENTENCES = [
    (
        "胸心外科被中华全国总工会授予工人先锋号，第一分工会被湖南省总工会授予模范职工小家，张亚林教授被授予湖南省师德标兵。",
        ["胸心外科", "中华全国总工会", "工人先锋号", "分工会", "模范职工小家", "师德标兵"],
    ),
    ("20xx年参加南阳市雅安赈灾大型义演、南阳市金秋助学大型义演。", ["金秋助学"]),
    ("积极开展“献爱心”活动，完善“送温暖”工程的具体措施，注重“送温暖”的效果。", ["送温暖"]),
    ("认真执行工会章程、职代会制度，充分发挥了工会组织贴近群众的作用。", ["工会章程", "职代会"]),
    (
        "坚持每年召开教职工代表大会，落实教代会各项职权，积极开展民主评议领导干部、会员评家的工作。",
        ["教职工代表大会", "教代会", "民主评议", "会员评家"],
    ),
    ("共组织召开了4次职工代表大会和工会会员大会。", ["职工代表大会", "工会会员大会"]),
    (
        "20xx年4月，湖南省校务公开工作领导小组授予我院校务公开民主管理工作先进单位称号。",
        ["校务公开", "民主管理"],
    ),
    (
        "各单位做好劳模培养选树推荐，通过属地工会向省总工会申报各级劳模。",
        ["劳模", "省总工会"],
    ),
    (
        "永远保持“全国模范职工之家”、“全国五一劳动奖状”的荣誉，为实现二院美好梦想而努力奋斗。",
        ["全国模范职工之家", "全国五一劳动奖状"],
    ),
    (
        "我们按照县总工会经费审查委员会的要求，建立健全了各项经审制度和工会资产管理制度。",
        ["县总工会", "经费审查委员会"],
    ),
    ("为全院职工进行了一年一次的健康体检，继续为女职工购买了“两癌”保险。", ["健康体检", "女职工"]),
    ("扎实做好职工疗休养、体检及其他服务工作。", ["职工疗休养"]),
    (
        "推进“职工书屋”和文体活动室建设[]20xx年要使我院工会完善和进一步健全干警阅览室",
        ["职工书屋"],
    ),
    ("开展职工技能比武，提升职工业务水平。", ["技能比武"]),
    (
        "广大职工积极响应长沙市政府无偿献血的号召，以分工会组队开展羽毛球、拔河比赛等活动。",
        ["无偿献血", "分工会", "拔河比赛"],
    ),
    (
        "疾控中心现有职工会员78人，年内新增4名会员，为县先进职工之家。",
        ["疾控中心", "先进职工之家"],
    ),
    (
        "获中华全国总工会女职工委员会《女职工劳动保护特别规定》知识竞赛活动湖南省唯一优秀组织奖；",
        ["中华全国总工会", "女职工委员会", "女职工劳动保护特别规定", "知识竞赛"],
    ),
    ("“三八”节期间，院工会女职工委员会开展女职工健康讲座等系列活动。", ["女职工委员会", "女职工"]),
]


@pytest.mark.parametrize("sentence,terms", REPORT_SENTENCES, ids=[t[0] for _, t in REPORT_SENTENCES])
def test_domain_terms_come_out_whole_in_report_sentences(seg, sentence, terms):
    words = seg.cut(sentence)
    assert [t for t in terms if t not in words] == [], words


def test_every_dictionary_entry_is_one_token_on_its_own(seg):
    split = {e.word: seg.cut(e.word) for e in domain_dictionary() if seg.cut(e.word) != [e.word]}
    assert split == {}


@pytest.mark.parametrize(
    "text,expected",
    [
        ("全省总工会工作", ["全省", "总工会", "工作"]),
        ("社区总工会成立", ["社区总工会", "成立"]),
        ("大部分工会会员", ["大部分", "工会会员"]),
        ("劳动法治宣传周", ["劳动", "法治", "宣传周"]),
        ("为各分工会小组做好经费规划", ["为", "各", "分工会", "小组", "做好", "经费", "规划"]),
        ("区总工会副主席", ["区总工会", "副", "主席"]),
    ],
)
def test_domain_terms_do_not_steal_characters_from_neighbouring_words(seg, text, expected):
    assert seg.cut(text) == expected


def test_union_dictionary_file_is_well_formed():
    entries = domain_dictionary()
    assert len(entries) >= 300
    assert len({e.word for e in entries}) == len(entries)
    assert all(e.freq and e.freq > 0 and e.tag for e in entries)


# -- exact offsets ---------------------------------------------------------------------------

MIXED_ALPHABET = list(
    "工会职工代表大会金秋助学送温暖省总工会全国劳模分部全社区经费收入"
    "abcXYZ0123 \t\n\r\u3000\xa0。，、！？；;!?.:“”‘’「」『』（）()【】《》□※-—_%+#&😀𠀀"
)
texts = st.one_of(st.text(alphabet=st.sampled_from(MIXED_ALPHABET), max_size=80), st.text(max_size=40))


def _assert_tiles(tokens: list[Token], text: str, start: int, end: int) -> None:
    pos = start
    for t in tokens:
        assert t.start == pos and t.end > t.start
        assert text[t.start : t.end] == t.word
        pos = t.end
    assert pos == end


@settings(max_examples=150, deadline=None)
@given(text=texts)
def test_tokens_tile_the_text_with_exact_offsets(seg, text):
    _assert_tiles(seg.tokenize(text), text, 0, len(text))


@settings(max_examples=150, deadline=None)
@given(text=texts)
def test_sentence_spans_are_ordered_trimmed_and_cover_every_visible_character(text):
    spans = split_sentences(text)
    covered = set()
    prev_end = 0
    for s, e in spans:
        assert prev_end <= s < e <= len(text)
        assert not text[s].isspace() and not text[e - 1].isspace()
        covered.update(range(s, e))
        prev_end = e
    assert {i for i, ch in enumerate(text) if not ch.isspace()} <= covered


@settings(max_examples=60, deadline=None)
@given(text=texts)
def test_sentence_tokens_tile_their_sentence(seg, text):
    result = seg.sentences(text)
    assert [(s, e) for s, e, _ in result] == split_sentences(text)
    for s, e, tokens in result:
        _assert_tiles(tokens, text, s, e)


def test_whitespace_and_punctuation_are_tokens_but_not_words(seg):
    text = "开展“金秋助学”活动 \u3000□送温暖。"
    assert "".join(seg.cut(text)) == text
    assert seg(text) == ["开展", "金秋助学", "活动", "送温暖"]
    seg.set_params(drop_punct=False)  # a call-time option: no rebuild needed
    try:
        assert seg(text) == ["开展", "“", "金秋助学", "”", "活动", "□", "送温暖", "。"]
    finally:
        seg.set_params(drop_punct=True)


def test_tokens_string_joins_visible_words_with_single_spaces():
    tokens = [
        Token("召开", 0, 2),
        Token(" ", 2, 3),
        Token("职代会", 3, 6),
        Token("\n", 6, 7),
        Token("。", 7, 8),
    ]
    assert tokens_string(tokens) == "召开 职代会 。"
    assert tokens_string([]) == ""


def test_empty_and_blank_text(seg):
    assert seg.tokenize("") == [] and seg("") == [] and seg.sentences("") == []
    assert split_sentences(" \n\t\u3000 ") == []


# -- sentence splitting ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("他说：“好的。”然后走了。", ["他说：“好的。”", "然后走了。"]),
        (
            "解决好人民最关心最直接最现实的利益问题。”工会组织要切实维护",
            ["解决好人民最关心最直接最现实的利益问题。”", "工会组织要切实维护"],
        ),
        ("（见附件。）下一句！「真的？」』结束", ["（见附件。）", "下一句！", "「真的？」』", "结束"]),
        ("真的吗？！好；坏;再见!", ["真的吗？！", "好；", "坏;", "再见!"]),
    ],
)
def test_closing_quotes_and_brackets_stay_with_their_sentence(text, expected):
    assert _sentences(text) == expected


def test_stray_square_mark_separates_clauses_not_sentences():
    text = "总之□20xx年，我校工会在县教育工会和学校的领导下，圆满完成了各项任务。"
    assert _sentences(text) == [text]


def test_line_breaks_end_sentences_and_whitespace_is_trimmed():
    text = "  现在我代表本届支委会向大会作三年工作总结□\r\n\n各位代表、同志们□20xx年注定不平凡。  \n一、工会经费收支使用情况\u3000"
    assert _sentences(text) == [
        "现在我代表本届支委会向大会作三年工作总结□",
        "各位代表、同志们□20xx年注定不平凡。",
        "一、工会经费收支使用情况",
    ]


def test_decimal_points_do_not_end_sentences():
    assert _sentences("2011年初经费余额8721.40元。纪念5.12国际护士节") == [
        "2011年初经费余额8721.40元。",
        "纪念5.12国际护士节",
    ]


def test_sentences_carry_offsets_into_the_full_text(seg):
    text = "召开职代会。 表彰劳模！"
    assert [(s, e, tokens_string(ts)) for s, e, ts in seg.sentences(text)] == [
        (0, 6, "召开 职代会 。"),
        (7, 12, "表彰 劳模 ！"),
    ]
    assert seg.split_sentences(text) == split_sentences(text)


# -- pickling, processes, scikit-learn -------------------------------------------------------

SAMPLE = "胸心外科被中华全国总工会授予工人先锋号，第一分工会被湖南省总工会授予模范职工小家。"


def test_pickle_drops_the_tokenizer_and_rebuilds_it_lazily(seg):
    before = seg.tokenize(SAMPLE)  # make sure seg has built its tokenizer
    data = pickle.dumps(seg)
    assert len(data) < 1000  # parameters only, not jieba's tables
    copy = pickle.loads(data)
    assert copy.get_params() == seg.get_params()
    assert copy.tokenize(SAMPLE) == before


def test_segmenter_works_in_a_spawned_worker_process(seg):
    ctx = multiprocessing.get_context("spawn")  # nothing inherited: the worker gets only the pickle
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        assert pool.submit(seg.tokenize, SAMPLE).result(timeout=120) == seg.tokenize(SAMPLE)


def test_tfidf_vectorizer_with_segmenter_pickles_and_transforms_identically(seg):
    from sklearn.base import clone
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [
        "坚持每年召开教职工代表大会，落实教代会各项职权。",
        "积极开展金秋助学和送温暖活动，帮扶困难职工。",
        "开展技能比武和劳动竞赛，胸心外科被授予工人先锋号。",
    ]
    vec = TfidfVectorizer(tokenizer=seg, token_pattern=None, lowercase=False).fit(docs)
    assert {"教代会", "金秋助学", "送温暖", "工人先锋号", "困难职工"} <= set(vec.vocabulary_)
    assert "，" not in vec.vocabulary_
    restored = pickle.loads(pickle.dumps(vec))
    assert restored.vocabulary_ == vec.vocabulary_
    assert (restored.transform(docs) != vec.transform(docs)).nnz == 0
    assert clone(vec).get_params()["tokenizer"].get_params() == seg.get_params()


# -- isolation: each Segmenter owns its tokenizer --------------------------------------------


def test_user_dictionary_stays_inside_its_own_segmenter_until_params_change(seg, tmp_path):
    from jieba import finalseg

    text = "龘靐齉鬱工作组在职代会上成立"
    user_dict = tmp_path / "extra.txt"
    # a new word, and a frequency-0 line that removes a word (hmm=False: the HMM could rejoin it)
    user_dict.write_text("\ufeff龘靐齉鬱 50000 nz\n\n职代会 0\n", encoding="utf-8")
    custom = Segmenter(user_dicts=[user_dict], hmm=False)
    words = custom.cut(text)
    assert words[0] == "龘靐齉鬱" and "职代会" not in words
    assert "龘靐齉鬱" not in seg.cut(text) and "职代会" in seg.cut(text)
    assert "龘靐齉鬱" not in jieba.lcut(text)  # jieba's global tokenizer is untouched...
    assert "龘靐齉鬱" not in jieba.dt.FREQ
    assert "职代会" not in finalseg.Force_Split_Words  # ...and so is its global HMM state

    # changing parameters after first use rebuilds the tokenizer
    custom.set_params(user_dicts=(), use_domain_dict=False)
    assert custom.cut("龘靐齉鬱") != ["龘靐齉鬱"]
    assert custom.cut("开展金秋助学活动") == ["开展", "金秋", "助学", "活动"]


# -- parameters and errors -------------------------------------------------------------------


def test_init_only_stores_parameters():
    s = Segmenter(user_dicts=["missing.txt"], backend="nonsense")  # nothing is checked or built yet
    assert s.get_params() == dict(
        user_dicts=["missing.txt"], use_domain_dict=True, hmm=True, backend="nonsense", drop_punct=True
    )
    assert repr(s) == "Segmenter(user_dicts=['missing.txt'], backend='nonsense')"
    with pytest.raises(ValueError, match="backend"):
        s.cut("工会")
    with pytest.raises(ValueError, match="invalid parameter"):
        s.set_params(colour="red")


def test_unreadable_user_dictionaries_raise_dictionary_error(tmp_path):
    with pytest.raises(DictionaryError, match="cannot read"):
        Segmenter(user_dicts=[tmp_path / "missing.txt"]).cut("工会")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("café 10\n".encode("latin-1"))
    with pytest.raises(DictionaryError, match="not UTF-8"):
        Segmenter(user_dicts=[latin1]).cut("工会")


def test_dictionary_lines_follow_jiebas_format():
    assert read_dictionary("工人先锋号 3000 nz\n职代会\n金秋助学 10\n") == [
        read_dictionary("工人先锋号 3000 nz")[0],
        read_dictionary("职代会")[0],
        read_dictionary("金秋助学 10")[0],
    ]
    (entry,) = read_dictionary("Union Day 5 nz")
    assert (entry.word, entry.freq, entry.tag) == ("Union Day", 5, "nz")


def test_rjieba_backend_keeps_domain_terms_whole_and_tiles_text():
    pytest.importorskip("rjieba")
    fast = Segmenter(backend="rjieba")
    assert [e.word for e in domain_dictionary() if fast.cut(e.word) != [e.word]] == []
    text = "胸心外科被中华全国总工会授予工人先锋号。\n 𠀀😀 2-3名 e-mail"
    _assert_tiles(fast.tokenize(text), text, 0, len(text))
    assert pickle.loads(pickle.dumps(fast)).cut(SAMPLE) == fast.cut(SAMPLE)


# -- backends: auto, the environment variable, rjieba made to cut like jieba -------------------

JIEBA_RJIEBA_DIFFERENCES = [
    "按2-3名职工配备，每1-10人一组",  # rjieba keeps "2-3", "1-10" whole
    "联系e-mail或1_2号窗口",
    "𠀀𠀁工会与㐀豈鿿字",  # CJK extension / compatibility characters: one token each in jieba
    "比上年增长3.5%，余额8721.40元，C++培训x-x班",
]


def test_auto_picks_rjieba_when_installed_and_the_environment_variable_overrides_it(monkeypatch):
    import importlib.util

    monkeypatch.delenv(BACKEND_ENV, raising=False)
    installed = importlib.util.find_spec("rjieba") is not None
    assert Segmenter().resolved_backend == ("rjieba" if installed else "jieba")
    monkeypatch.setenv(BACKEND_ENV, "jieba")
    assert Segmenter().resolved_backend == "jieba"
    assert Segmenter(backend="rjieba").resolved_backend == "rjieba"  # an explicit choice wins
    monkeypatch.setenv(BACKEND_ENV, "auto")
    assert Segmenter().resolved_backend == ("rjieba" if installed else "jieba")
    monkeypatch.setenv(BACKEND_ENV, "nonsense")
    with pytest.raises(ValueError, match=BACKEND_ENV):
        Segmenter().cut("工会")


def test_the_environment_variable_is_read_when_the_engine_is_built(monkeypatch):
    pytest.importorskip("rjieba")
    monkeypatch.setenv(BACKEND_ENV, "jieba")
    seg = Segmenter()
    seg.cut("工会")
    assert type(seg._get_engine()).__name__ == "_JiebaBackend"
    monkeypatch.setenv(BACKEND_ENV, "rjieba")
    assert type(seg._get_engine()).__name__ == "_JiebaBackend"  # built: stays until params change
    assert type(pickle.loads(pickle.dumps(seg))._get_engine()).__name__ == "_RjiebaBackend"


@pytest.mark.parametrize("hmm", [True, False], ids=["hmm", "no-hmm"])
@pytest.mark.parametrize("text", JIEBA_RJIEBA_DIFFERENCES, ids=["ranges", "e-mail", "rare-han", "decimals"])
def test_rjieba_backend_cuts_ascii_runs_and_rare_han_like_jieba(fast_seg, jieba_seg, text, hmm):
    fast, ref = Segmenter(backend="rjieba", hmm=hmm), Segmenter(backend="jieba", hmm=hmm)
    fast._engine, ref._engine = fast_seg._engine, jieba_seg._engine  # hmm is a call-time option
    assert fast.cut(text) == ref.cut(text)


def test_rjieba_backend_gives_jiebas_tokens_on_the_sample_pages(fast_seg, jieba_seg, raw_dir):
    from corpus_tools.clean import clean_page
    from corpus_tools.load import iter_source_paths, load_source

    for path in iter_source_paths(raw_dir):
        text = clean_page(load_source(path, raw_dir).text).text
        assert fast_seg.sentence_token_strings(text) == jieba_seg.sentence_token_strings(text), path.name


@settings(max_examples=100, deadline=None)
@given(text=texts)
def test_sentence_token_strings_are_the_tokens_string_of_each_sentence(seg, text):
    assert seg.sentence_token_strings(text) == [(s, e, tokens_string(ts)) for s, e, ts in seg.sentences(text)]


@settings(max_examples=100, deadline=None)
@given(text=texts)
def test_rjieba_backend_cuts_random_text_like_jieba(fast_seg, jieba_seg, text):
    tokens = fast_seg.tokenize(text)
    _assert_tiles(tokens, text, 0, len(text))
    # the one difference left: jieba-rs breaks ties between equally likely cuts of a repeated
    # character ("费费费": 费费/费 in jieba, 费/费费 in rjieba) the other way
    if not re.search(r"(.)\1", text):
        assert [t.word for t in tokens] == jieba_seg.cut(text)
