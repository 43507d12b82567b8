"""Programme names are unique per organisation, whatever the letters' case."""

from tests.conftest import page_token


def test_a_name_with_non_ascii_capitals_cannot_be_taken_twice(client, login_as, world, db):
    login_as(world["manager1"])
    for attempt in range(2):
        token = page_token(client, "/programs/new")
        response = client.post("/programs/new", data={
            "name": "ÄNGEN", "description": "", "is_active": "y",
            "outcome_target_percent": "", "csrf_token": token})
        assert response.status_code == (302 if attempt == 0 else 422)
    assert "redan ett program som heter" in response.get_data(as_text=True)
