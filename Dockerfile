# maaor: the installed package, supervisord (a Python requirement) and nginx, on Debian.
# One image for the app processes, the coordinator process and nginx (compose.yaml runs
# it three ways). Written to the layout tested on the host (deploy/cluster.py,
# tests/deploy/); the image itself is untested there: no container engine runs on the
# build machine (README, "Containers").
FROM python:3.11-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends nginx-light fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /srv/maaor maaor

# The exact pins first (a layer that changes only with requirements.txt) ...
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt
# ... then maaor itself, from a wheel built from this checkout.
COPY . /tmp/maaor-src
RUN pip install --no-cache-dir --no-deps /tmp/maaor-src \
    && mkdir -p /srv/maaor/deploy \
    && cp /tmp/maaor-src/deploy/cluster.py /tmp/maaor-src/deploy/nginx.conf.template /srv/maaor/deploy/ \
    && rm -rf /tmp/maaor-src /tmp/requirements.txt \
    && chown -R maaor:maaor /srv/maaor

USER maaor
WORKDIR /srv/maaor
ENV MAAOR_LOG_FORMAT=json \
    PYTHONUNBUFFERED=1
# The store must answer (maaor health exits 1 otherwise).
HEALTHCHECK --interval=15s --timeout=10s --start-period=60s CMD ["maaor", "health"]
# Default: three viewer processes and the health check under supervisord, nginx elsewhere.
CMD ["python", "deploy/cluster.py", "--processes", "3", "--mode", "viewer", "--no-nginx", \
     "--backend-host", "0.0.0.0", "--workdir", "/srv/maaor/var/cluster"]
