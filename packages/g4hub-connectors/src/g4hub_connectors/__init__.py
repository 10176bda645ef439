"""g4hub-connectors: WooCommerce and Shopify behind one typed async contract.

import g4hub_connectors as gc

async with gc.create_connector({"platform": "woocommerce", "store_url": "https://shop.example",
                                "consumer_key": "ck_…", "consumer_secret": "cs_…"}) as store:
    result = await store.test_connection()
    async for product in store.iter_products():
        ...
"""

from g4hub_connectors._retry import RetryPolicy
from g4hub_connectors.config import (
    DEFAULT_SHOPIFY_API_VERSION,
    ConnectorConfig,
    ShopifyConfig,
    WooCommerceConfig,
)
from g4hub_connectors.connector import BaseConnector, Connector
from g4hub_connectors.descriptor import (
    Advice,
    CredentialField,
    CredentialSet,
    PlatformDescriptor,
    generic_advice,
)
from g4hub_connectors.errors import (
    APIVersionError,
    AuthenticationError,
    ConfigurationError,
    ConnectorError,
    ConnectorTimeoutError,
    InvalidConfigError,
    InvalidRequestError,
    InvalidStoreURLError,
    NotFoundError,
    PermalinksRequiredError,
    PermissionDeniedError,
    PlatformUnavailableError,
    RateLimitedError,
    Remedy,
    ResponseTooLargeError,
    StoreUnavailableError,
    TransientError,
    UnexpectedResponseError,
    WriteConflictError,
    WriteNotAppliedError,
    remedy_for,
)
from g4hub_connectors.models import (
    ConnectionResult,
    Product,
    ProductPage,
    ProductStatus,
    ProductUpdate,
    ProductVariant,
    StockStatus,
    StoreInfo,
)
from g4hub_connectors.registry import (
    available_platforms,
    create_connector,
    descriptors,
    find_descriptor,
    get_descriptor,
    register,
)

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_SHOPIFY_API_VERSION",
    "APIVersionError",
    "Advice",
    "AuthenticationError",
    "BaseConnector",
    "ConfigurationError",
    "ConnectionResult",
    "Connector",
    "ConnectorConfig",
    "ConnectorError",
    "ConnectorTimeoutError",
    "CredentialField",
    "CredentialSet",
    "InvalidConfigError",
    "InvalidRequestError",
    "InvalidStoreURLError",
    "NotFoundError",
    "PermalinksRequiredError",
    "PermissionDeniedError",
    "PlatformDescriptor",
    "PlatformUnavailableError",
    "Product",
    "ProductPage",
    "ProductStatus",
    "ProductUpdate",
    "ProductVariant",
    "RateLimitedError",
    "Remedy",
    "ResponseTooLargeError",
    "RetryPolicy",
    "ShopifyConfig",
    "StockStatus",
    "StoreInfo",
    "StoreUnavailableError",
    "TransientError",
    "UnexpectedResponseError",
    "WooCommerceConfig",
    "WriteConflictError",
    "WriteNotAppliedError",
    "__version__",
    "available_platforms",
    "create_connector",
    "descriptors",
    "find_descriptor",
    "generic_advice",
    "get_descriptor",
    "register",
    "remedy_for",
]
