from journey import create_app

app = create_app()
