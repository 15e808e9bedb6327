def test_home_page_answers_in_dutch(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="nl">' in response.get_data(as_text=True)
