from dangjian.core.ids import id_check_digit, id_number_error, mask_id_number, mask_phone


def test_it_computes_the_gb11643_check_digit():
    # The standard's own example: 11010519491231002X
    assert id_check_digit("11010519491231002") == "X"
    assert id_number_error("11010519491231002X") is None


def test_it_names_what_is_wrong():
    assert id_number_error("110105194912310021") == "校验码不正确"
    assert id_number_error("1101051949123100") == "应为18位"
    assert id_number_error("110105194902310028") == "出生日期部分无效"
    assert id_number_error("11010519491231002x") == "前17位应为数字，末位为数字或X"


def test_it_masks_ids_and_phones():
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert mask_phone("13812345678") == "138****5678"
