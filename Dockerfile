FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY accord ./accord
RUN pip install --no-cache-dir .
EXPOSE 8000
CMD ["accord", "serve", "--host", "0.0.0.0"]
