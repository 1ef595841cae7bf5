# The seed stack's application: GET /hello -> 200 "Hello World!" (served by uWSGI behind nginx).
from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello():
    return "Hello World!"
