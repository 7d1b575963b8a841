from reconfig.analysis.compare import difference


def _s(services, schemes, beds, npv, capital, mean):
    return {"years": ["2020/21"], "services": [{"service": k, "site": s, "year": "2020/21"} for k, s in services],
            "schemes": [{"scheme": c, "start": y} for c, y in schemes],
            "beds": [{"bed_type": b, "site": "A", "year": "2020/21", "beds": n} for b, n in beds],
            "objectives": {"npv_cost": npv}, "capital_spend_by_year": {"2020/21": capital},
            "access": {"ed": {"mean": mean}}}


def test_difference_names_moves_schemes_beds_cost_and_access():
    a = _s([("ed", "A"), ("ed", "B")], [("c1", "2017/18"), ("c2", "2018/19")], [("acute", 100)], 1000, 50, 20.0)
    b = _s([("ed", "A"), ("ed", "C")], [("c2", "2019/20"), ("c3", "2017/18")], [("acute", 90)], 1200, 80, 25.0)
    d = difference(a, b)
    assert d["services_added"] == ["ed at C"] and d["services_removed"] == ["ed at B"]
    assert d["schemes_added"] == ["c3"] and d["schemes_dropped"] == ["c1"]
    assert d["schemes_retimed"] == ["c2: 2018/19 → 2019/20"]
    assert d["beds_change"] == {"acute": -10}
    assert d["npv_cost_change_gbp_k"] == 200 and d["capital_change_by_year_gbp_k"] == {"2020/21": 30}
    assert d["access_mean_change_minutes"] == {"ed": 5.0}


def test_difference_text_reads_as_one_sentence():
    from reconfig.analysis.compare import difference_text

    a = _s([("ed", "A"), ("ed", "B")], [("c1", "2017/18")], [("acute", 100)], 1000, 50, 20.0)
    b = _s([("ed", "A"), ("ed", "C")], [("c3", "2017/18")], [("acute", 90)], 3500, 2050, 25.0)
    assert difference_text(difference(a, b)) == (
        "net present cost +2.5 £m; adds ed at C; drops ed at B; builds c3; does not build c1; beds acute -10; "
        "capital 2020/21 +2.0 £m; mean travel ed +5.0 min")
