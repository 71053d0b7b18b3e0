# Accord's image: a wheel built from the source, installed alone with its locked
# dependencies. The page's browser libraries are in the repository, so no node.
#   docker build -t accord:latest .        (or: docker compose build)
ARG PYTHON_IMAGE=python:3.11-slim

# Build stage: the wheel, as tests/integration/test_packaging.py builds it.
FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY requirements ./requirements
COPY docker ./docker
COPY accord ./accord
RUN sh docker/build-wheel.sh dist

# Runtime stage: the application's locked dependencies (hashes checked), then the wheel.
FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/accord/bin:$PATH
# The board pack's PDF (WeasyPrint): pango and the fonts it embeds, nothing recommended.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY requirements/app.txt /tmp/app.txt
RUN python -m venv /opt/accord \
    && /opt/accord/bin/pip install --no-cache-dir --require-hashes -r /tmp/app.txt \
    && rm /tmp/app.txt
COPY --from=build /src/dist/ /tmp/dist/
RUN /opt/accord/bin/pip install --no-cache-dir --no-deps /tmp/dist/accord-*.whl \
    && rm -rf /tmp/dist \
    && useradd --system --create-home --home-dir /home/accord --uid 10001 accord
USER accord
WORKDIR /home/accord
EXPOSE 8000
CMD ["accord", "serve", "--host", "0.0.0.0", "--port", "8000"]
